import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and a database: slow on a busy machine, never timed here.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

/** A TCP port that counts the connections made to it (closing each at once). */
async function countingPort(): Promise<{ server: Server; url: string; connections: () => number }> {
  let count = 0;
  const server = createServer((socket: Socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `redis://127.0.0.1:${port}`, connections: () => count };
}

/** A port nothing listens on: one that was just listened on and closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

/** The campaign commands that only read campaigns work with Redis down, and never contact it. */
describe('depeche campaign without Redis', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let redis: Awaited<ReturnType<typeof countingPort>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-campaign-no-redis-'));
    redis = await countingPort();
    env = { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: redis.url };
    const migrated = await runDepeche(['db', 'migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    await new Promise((resolve) => redis.server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates, lists and reports a campaign without opening a Redis connection', async () => {
    // No review in this database: the review is skipped (audited), which needs no Redis either.
    const created = await runDepeche(
      ['campaign', 'create', 'adn/2026-11', '--skip-review', '--json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { campaign } = JSON.parse(created.stdout) as { campaign: { id: number } };

    const list = await runDepeche(['campaign', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: campaign.id, status: 'draft' }]);

    const status = await runDepeche(['campaign', 'status', String(campaign.id), '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: campaign.id, status: 'draft' });

    expect(redis.connections()).toBe(0);
  });

  it('reports a campaign with REDIS_URL pointing at a closed port', async () => {
    const closed = { ...env, REDIS_URL: await closedPort() };
    const status = await runDepeche(['campaign', 'status', '1', '--json'], closed);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 1, status: 'draft' });
    const missing = await runDepeche(['campaign', 'status', '999'], closed);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Campaign 999 does not exist');
  });

  it('refuses an id that is not a positive integer', async () => {
    const status = await runDepeche(['campaign', 'status', 'abc'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("Campaign id 'abc' is not a positive integer");
  });
});
