import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { envSchema } from '../../src/config/index.ts';
import { createOpsRepository } from '../../src/db/index.ts';
import { createLogger, createSilentLogger } from '../../src/lib/index.ts';
import { createOpsMetrics, databaseCheck, opsPlugin, redisCheck } from '../../src/web/ops/index.ts';
import { createServer } from '../../src/web/server.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const adminToken = 'test-admin-token-0123456789';
const metricsTok = 'test-metrics-token-0123456789';

describe('operations endpoints', () => {
  let database: TestDatabase;
  let redis: Redis;
  let deadRedis: Redis;
  let queue: Queue;
  const prefix = `test-ops-${randomUUID()}`;

  /** An app with the ops plugin over the test database and the given Redis client. */
  async function build(client: Redis, token?: string, metricsToken: string | null = metricsTok) {
    const repository = createOpsRepository(database.handle.db);
    const app = createServer({ logger: createSilentLogger() });
    await app.register(opsPlugin, {
      checks: [databaseCheck(repository), redisCheck(client)],
      metrics: createOpsMetrics({ repository, queues: [queue] }),
      queues: [queue],
      adminToken: token,
      metricsToken: metricsToken ?? undefined,
    });
    await app.ready();
    return app;
  }

  beforeAll(async () => {
    database = await openTestPglite();
    redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    // Nothing listens on port 1: the client never connects.
    deadRedis = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 1000,
    });
    deadRedis.on('error', () => undefined);
    queue = new Queue('send', { connection: { url: redisUrl }, prefix });
    await queue.add('batch', { campaignId: 1, batchNo: 0 }, { delay: 60_000 });
    await redis.ping().catch(async () => {
      await new Promise((resolve) => redis.once('ready', resolve));
    });
    await database.handle.db.execute(
      sql`INSERT INTO bounce_events (fingerprint, kind, class, source, raw_size)
          VALUES ('f1', 'bounce', 'hard', 'smtp', 10), ('f2', 'bounce', 'hard', 'imap', 10),
                 ('f3', 'complaint', NULL, 'smtp', 10)`,
    );
    await database.handle.db.execute(
      sql`INSERT INTO feed_health (newsletter_id, feed_url, name, consecutive_failures)
          VALUES ('adn', 'https://feeds.example.org/nsf.xml', 'NSF News', 3)`,
    );
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    deadRedis.disconnect();
    await database.drop();
  });

  it('answers /healthz while alive', async () => {
    const app = await build(redis);
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    await app.close();
  });

  it('answers /readyz 200 when the database and Redis answer', async () => {
    const app = await build(redis);
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    await app.close();
  });

  it('answers /readyz 503 naming Redis when Redis is unreachable', async () => {
    const app = await build(deadRedis);
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = response.json<{ status: string; checks: Record<string, string> }>();
    expect(body.status).toBe('unavailable');
    expect(body.checks.database).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
    await app.close();
  });

  it('exposes the Prometheus metrics with values read from the database and the queues', async () => {
    const app = await build(redis);
    const response = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${metricsTok}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    for (const name of [
      'depeche_messages',
      'depeche_send_duration_seconds',
      'depeche_queue_jobs',
      'depeche_feed_poll_failures',
      'depeche_subscriptions',
      'depeche_bounce_events',
      'depeche_process_cpu_seconds_total',
    ]) {
      expect(response.body).toContain(`# TYPE ${name}`);
    }
    expect(response.body).toContain('depeche_queue_jobs{queue="send",state="delayed"} 1');
    expect(response.body).toContain(
      'depeche_feed_poll_failures{newsletter="adn",feed="NSF News"} 3',
    );
    expect(response.body).toContain('depeche_bounce_events{kind="bounce",class="hard"} 2');
    expect(response.body).toContain('depeche_bounce_events{kind="complaint",class="none"} 1');
    await app.close();
  });

  it('serves /metrics on the web port only with METRICS_TOKEN as a Bearer token', async () => {
    const app = await build(redis);
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }]) {
      const denied = await app.inject({ method: 'GET', url: '/metrics', headers });
      expect(denied.statusCode).toBe(401);
      expect(denied.body).not.toContain('depeche_messages');
    }
    await app.close();
    const withoutToken = await build(redis, undefined, null);
    expect((await withoutToken.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    await withoutToken.close();
  });

  it('keeps /admin/queues off when ADMIN_TOKEN is unset', async () => {
    const app = await build(redis);
    const response = await app.inject({ method: 'GET', url: '/admin/queues' });
    expect(response.statusCode).toBe(404);
    await app.close();
  });

  it('refuses /admin/queues without the token and serves it with the token', async () => {
    const app = await build(redis, adminToken);
    const denied = await app.inject({ method: 'GET', url: '/admin/queues' });
    expect(denied.statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.statusCode).toBe(401);
    const bearer = await app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(bearer.statusCode).toBe(200);
    expect(bearer.body).toContain('<html');
    const api = await app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('send');
    await app.close();
  });

  it('keeps the admin token and signed link tokens out of the request logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const app = createServer({ logger });
    await app.register(opsPlugin, {
      checks: [],
      metrics: createOpsMetrics({
        repository: createOpsRepository(database.handle.db),
        queues: [],
      }),
      queues: [queue],
      adminToken,
    });
    // A route shaped like the pages' one-click unsubscribe link.
    app.get('/u/:token', async () => 'ok');
    const linkToken = 'eyJwIjoidW5zdWJzY3JpYmUiLCJzIjo0Mn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    await app.inject({ method: 'GET', url: `/admin/queues?token=${adminToken}` });
    await app.inject({ method: 'GET', url: `/u/${linkToken}` });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('/admin/queues?token=[redacted]');
    expect(log).not.toContain(adminToken);
    expect(log).not.toContain(linkToken);
  });

  it('turns ?token= into a session cookie and drops the token from the address', async () => {
    const app = await build(redis, adminToken);
    const first = await app.inject({ method: 'GET', url: `/admin/queues?token=${adminToken}` });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/admin/queues');
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).not.toContain(adminToken);
    const second = await app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { cookie },
    });
    expect(second.statusCode).toBe(200);
    await app.close();
  });
});

describe('deployment files', () => {
  const root = path.resolve(import.meta.dirname, '../..');

  it('documents every configuration variable in .env.example', async () => {
    const example = await readFile(path.join(root, '.env.example'), 'utf8');
    const names = Object.keys(envSchema.in.shape);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('runs web and a scalable worker from the image in docker compose', async () => {
    const compose = parseYaml(await readFile(path.join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
      'x-depeche': { volumes: string[] };
    };
    const { web, worker } = compose.services;
    expect(web?.command).toEqual(['serve']);
    expect(web?.healthcheck).toBeDefined();
    expect(worker?.command).toEqual(['worker']);
    // `--scale worker=N` needs no fixed name and no host port.
    expect(worker?.container_name).toBeUndefined();
    expect(worker?.ports).toBeUndefined();
    expect(worker?.healthcheck).toBeDefined();
    // The composer writes issue files from web; workers only read them.
    expect(web?.volumes).toContain('./issues:/app/issues');
    expect(compose['x-depeche'].volumes).toEqual(['./issues:/app/issues:ro']);
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    // Node 24, the current LTS (20 is past its end of life; the code still runs on it).
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim AS/m);
    expect(dockerfile).not.toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/healthz/ms);
  });
});
