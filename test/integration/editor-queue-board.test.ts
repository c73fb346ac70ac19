import { randomUUID } from 'node:crypto';

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { getPage, signedInEditor } from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the queue dashboard in the workspace', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let queue: Queue;

  beforeAll(async () => {
    database = await openTestPglite();
    queue = new Queue('send', {
      connection: { url: redisUrl },
      prefix: `test-board-${randomUUID()}`,
    });
    web = await buildTestWebApp({ database: database.handle, editor: { queues: [queue] } });
  });
  afterAll(async () => {
    await web.app.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await database.drop();
  });

  it('serves the board to an admin session only', async () => {
    if (!web.editor) throw new Error('workspace not built');
    const admin = await signedInEditor(web.editor, 'chef@example.org', 'admin');
    const publisher = await signedInEditor(web.editor, 'pub@example.org', 'publisher');

    const anonymous = await web.app.inject({ method: 'GET', url: '/editor/queues' });
    expect(anonymous.statusCode).toBe(303);
    const refused = await getPage(web.app, publisher, '/editor/queues');
    expect(refused.statusCode).toBe(403);
    const refusedApi = await getPage(web.app, publisher, '/editor/queues/api/queues');
    expect(refusedApi.statusCode).toBe(403);

    const board = await getPage(web.app, admin, '/editor/queues');
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('Dépêche queues');
    expect(board.headers['content-security-policy']).toBeUndefined();
    const api = await getPage(web.app, admin, '/editor/queues/api/queues');
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('"send"');
    const home = await getPage(web.app, admin, '/editor');
    expect(home.body).toContain('href="/editor/queues"');
  });
});
