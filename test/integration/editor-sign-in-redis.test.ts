import { createHash, randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { commandLineActor } from '../../src/editors/index.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the sign-in limits shared through Redis', () => {
  let database: TestDatabase;
  let redis: Redis;
  const apps: TestWebApp[] = [];
  // Each run its own client address and account address: the limits' keys never collide.
  const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
  const email = `chef-${randomUUID().slice(0, 8)}@example.org`;

  beforeAll(async () => {
    database = await openTestPglite();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    for (let i = 0; i < 2; i += 1) {
      apps.push(
        await buildTestWebApp({
          database: database.handle,
          redis,
          editor: { rateLimits: { perAddress: 2, perIp: 100 } },
        }),
      );
    }
    await apps[0]?.editor?.accounts.add(commandLineActor('test'), { email, role: 'admin' });
  });
  afterAll(async () => {
    for (const app of apps) await app.app.close();
    redis.disconnect();
    await database.drop();
  });

  async function ask(web: TestWebApp) {
    const page = await web.app.inject({ method: 'GET', url: '/editor/sign-in', remoteAddress: ip });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = page.cookies.find((c) => c.name === 'depeche_csrf');
    return web.app.inject({
      method: 'POST',
      url: '/editor/sign-in',
      remoteAddress: ip,
      cookies: cookie ? { depeche_csrf: cookie.value } : {},
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email }).toString(),
    });
  }

  it('counts the requests of every web process together, keyed without the address', async () => {
    const [first, second] = apps as [TestWebApp, TestWebApp];
    expect((await ask(first)).statusCode).toBe(200);
    expect((await ask(second)).statusCode).toBe(200);
    expect((await ask(first)).statusCode).toBe(429);
    // Under the queues' hash-tagged prefix (a Redis Cluster keeps them together); @fastify/rate-limit
    // puts the (here absent) route before the key: `…:web-rate:undefinedundefined-<key>`.
    const keys = await redis.keys('{depeche}:web-rate:*editor-sign-in-*');
    expect(keys.some((key) => key.includes(`editor-sign-in-ip:${ip}`))).toBe(true);
    expect(keys.some((key) => key.includes('editor-sign-in-address:'))).toBe(true);
    expect(keys.join(' ')).not.toContain(email);
    const addressHash = createHash('sha256').update(email).digest('hex');
    const ours = keys.filter((key) => key.includes(ip) || key.includes(addressHash));
    expect(ours).toHaveLength(2);
    await redis.del(...ours);
  });
});
