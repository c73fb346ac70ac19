import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Job, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { buildDelivery, startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { startServeProcess } from '../../src/app/serve-process.ts';
import { type Config } from '../../src/config/index.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { createSilentLogger, fixedClock, systemClock } from '../../src/lib/index.ts';
import { createConfirmationMailer } from '../../src/mail/index.ts';
import {
  assertRedisAnswers,
  createCommandRedisConnection,
  createDeliveryQueues,
  createQueueEnqueuer,
  createRedisConnection,
  createRedisRateLimiter,
  createRequestRedisConnection,
  openTransactionalQueue,
  type RedisClient,
  RedisUnavailableError,
  startTransactionalWorker,
} from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  truncateDeliveryTables,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.ts';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../helpers/smtp-sink.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Every key of the cluster that contains `prefix`, with the node that holds it. BullMQ's scripts
 * and our own touch several keys at once: they must all sit in the slot of the prefix's hash tag.
 */
async function keysOf(redis: RedisClient, prefix: string) {
  if (!(redis instanceof Cluster)) throw new Error('expected a cluster client');
  const found: Array<{ node: string; key: string; slot: number }> = [];
  for (const node of redis.nodes('master')) {
    const stream = node.scanStream({ match: `*${prefix.replace(/[*?[\]\\]/g, '\\$&')}*` });
    for await (const keys of stream) {
      for (const key of keys as string[]) {
        const slot = Number(await node.cluster('KEYSLOT', key));
        found.push({ node: `${node.options.host}:${node.options.port}`, key, slot });
      }
    }
  }
  return found;
}

async function slotOf(redis: RedisClient, key: string): Promise<number> {
  return Number(await (redis as Cluster).cluster('KEYSLOT', key));
}

/** The delivery, the rate limits and the transactional queue on a three-master Redis Cluster. */
describe('on a Redis Cluster of three masters', () => {
  let cluster: TestRedisCluster;
  // a schema of its own, which the worker process reaches through its search_path
  const schema = `t_cluster_${process.pid}_${Date.now()}`;
  const databaseUrl = `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let database: { handle: DatabaseHandle };
  const opened: RedisClient[] = [];
  const connect = (kind: 'worker' | 'request' = 'worker') => {
    const client =
      kind === 'worker'
        ? createRedisConnection(cluster.url, 'depeche-cluster-test')
        : createRequestRedisConnection(cluster.url, 'depeche-cluster-test');
    client.on('error', () => undefined);
    opened.push(client);
    return client;
  };
  const newPrefix = testQueuePrefix;

  const adminQuery = async (query: string) => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(query);
    await admin.end();
  };

  beforeAll(async () => {
    const openingDatabase = (async () => {
      await adminQuery(`CREATE SCHEMA ${schema}`);
      const handle = await openDatabase({ kind: 'postgres', url: testDatabaseUrl, schema });
      await migrate(handle);
      return { handle };
    })();
    [cluster, database] = await Promise.all([startRedisCluster(), openingDatabase]);
  });
  afterAll(async () => {
    // the cluster is the file's own: its keys go with it
    for (const client of opened) client.disconnect();
    await cluster?.stop();
    await database?.handle.close();
    await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  describe('campaigns', () => {
    let sink: SmtpSink | undefined;
    let runtime: Awaited<ReturnType<typeof startDeliveryRuntime>> | undefined;
    const children: ChildProcess[] = [];
    afterEach(async () => {
      for (const child of children.splice(0)) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await runtime?.close();
      runtime = undefined;
      await sink?.close();
      sink = undefined;
      await truncateDeliveryTables(database.handle.db);
    });
    const recipients = () => sink!.messages.map((m) => m.envelope.rcptTo[0]);

    async function start(
      sinkOptions: SmtpSinkOptions = {},
      overrides: Record<string, string> = {},
    ) {
      sink = await startSmtpSink(sinkOptions);
      const config = deliveryTestConfig({
        REDIS_URL: cluster.url,
        QUEUE_PREFIX: newPrefix(),
        SMTP_URL: sink.url,
        ...overrides,
      });
      runtime = await startDeliveryRuntime({
        config,
        logger: createSilentLogger(),
        clock: systemClock,
        database: database.handle,
        redis: connect(),
      });
      return { config, service: runtime.delivery.service };
    }
    const statusOf = async (id: number) =>
      (await runtime!.delivery.service.progress(id)).campaign.status;

    it('reads REDIS_URL listing several nodes as a cluster and opens a Cluster client', () => {
      const config = deliveryTestConfig({ REDIS_URL: cluster.url });
      expect(config.redis).toEqual({
        kind: 'cluster',
        nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
        username: undefined,
        password: undefined,
        isTls: false,
      });
      expect(connect()).toBeInstanceOf(Cluster);
    });

    it('delivers a campaign to done through a `depeche worker` process, every key in one slot', async () => {
      await seedAudience(database.handle.db, 400);
      sink = await startSmtpSink();
      const prefix = newPrefix();
      const dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-cluster-'));
      try {
        const config = deliveryTestConfig({
          REDIS_URL: cluster.url,
          QUEUE_PREFIX: prefix,
          SMTP_URL: sink.url,
        });
        const redis = connect();
        const delivery = buildDelivery({
          config,
          logger: createSilentLogger(),
          clock: systemClock,
          database: database.handle,
          redis,
        });
        const child = spawn(process.execPath, [path.join(root, 'bin/depeche.js'), 'worker'], {
          cwd: root,
          env: {
            PATH: process.env.PATH,
            DEPECHE_ENV: 'test',
            DATABASE_URL: databaseUrl,
            DATA_DIR: dataDir,
            ISSUES_DIR: dataDir,
            REDIS_URL: cluster.url,
            QUEUE_PREFIX: prefix,
            SMTP_URL: sink.url,
            SECRET_KEY: config.SECRET_KEY,
            PUBLIC_URL: config.PUBLIC_URL,
            SEND_RATE_PER_SECOND: '100000',
            SEND_BATCH_SIZE: '50',
            LOG_LEVEL: 'error',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('worker')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
        });
        const campaign = await createTestCampaign(database.handle.db);
        await delivery.service.send(campaign.id);
        await waitFor(
          async () => (await delivery.service.progress(campaign.id)).campaign.status === 'done',
          60_000,
          'done',
        );
        expect(new Set(recipients()).size).toBe(400);
        expect(recipients()).toHaveLength(400);
        expect(stderr).not.toMatch(/CROSSSLOT|MOVED|error/i);

        const keys = await keysOf(redis, prefix);
        // the queues, the worker's job schedulers and the send-rate limit
        expect(keys.map(({ key }) => key)).toEqual(
          expect.arrayContaining([
            `${prefix}:send-rate`,
            `${prefix}:send-batch:meta`,
            `${prefix}:campaign-scheduler:repeat:campaign-sweep`,
            `${prefix}:transactional:meta`,
          ]),
        );
        const slot = await slotOf(redis, prefix);
        expect(new Set(keys.map((key) => key.slot))).toEqual(new Set([slot]));
        expect(new Set(keys.map((key) => key.node)).size).toBe(1);
        await delivery.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    });

    it('pause holds the queued messages and resume sends the rest, nothing twice', async () => {
      await seedAudience(database.handle.db, 400);
      const { service } = await start(
        { dataDelayMs: 2 },
        { SEND_CONCURRENCY: '1', SMTP_POOL_SIZE: '1' },
      );
      const campaign = await createTestCampaign(database.handle.db);
      await service.send(campaign.id);
      await waitFor(async () => sink!.messages.length >= 30, 30_000, 'first messages');
      await service.pause(campaign.id);
      await waitFor(
        async () => (await service.progress(campaign.id)).counts.sending === 0,
        10_000,
        'the pause to take effect',
      );
      expect(sink!.messages.length).toBeLessThan(400);
      await service.resume(campaign.id);
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 60_000, 'done');
      expect(new Set(recipients()).size).toBe(400);
      expect(recipients()).toHaveLength(400);
    });

    it('retry --failed enqueues the refused messages again and sends them', async () => {
      await seedAudience(database.handle.db, 100);
      let isRefusing = true;
      const { service } = await start({
        rejectRecipients: (rcpt) =>
          isRefusing && rcpt.startsWith('user1')
            ? { code: 554, message: '5.7.1 Policy' }
            : undefined,
      });
      const campaign = await createTestCampaign(database.handle.db);
      await service.send(campaign.id);
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
      expect((await service.progress(campaign.id)).counts.failed).toBe(12);
      isRefusing = false;
      expect((await service.retry(campaign.id, 'failed')).requeued).toBe(12);
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done again');
      expect(new Set(recipients()).size).toBe(100);
      expect(recipients()).toHaveLength(100);
    });
  });

  it('gives a batch sent again while its job runs a job of a new generation', async () => {
    const prefix = newPrefix();
    const redis = connect();
    const queues = createDeliveryQueues(redis, prefix, { attempts: 1, retryDelayMs: 50 });
    const enqueuer = createQueueEnqueuer(queues);
    const processed: string[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const worker = new Worker(
      'send-batch',
      async (job: Job) => {
        processed.push(job.id ?? '');
        if (job.id === '7-0') await gate;
      },
      { connection: redis, prefix, concurrency: 2 },
    );
    try {
      await enqueuer.sendBatches(7, [0], false);
      await waitFor(async () => processed.includes('7-0'), 10_000, 'the first job running');
      await enqueuer.sendBatches(7, [0], true);
      await waitFor(async () => processed.length === 2, 10_000, 'the second job');
      expect(processed[1]).toMatch(/^7-0-g\d+$/);
      open();
      const keys = (await keysOf(redis, prefix)).map(({ key }) => key);
      expect(keys).toContain(`${prefix}:send-batch:generation-7`);
    } finally {
      open();
      await worker.close(true);
      await queues.close();
    }
  });

  it('shares the send-rate limit between two clients of the cluster', async () => {
    const key = `${newPrefix()}:send-rate`;
    const options = { key, perSecond: 100, perHour: 30 };
    const first = createRedisRateLimiter(connect(), options);
    const second = createRedisRateLimiter(connect(), options);
    expect(await first.acquire(20)).toBe(20);
    expect(await second.acquire(20)).toBe(10);
  });

  it('runs a confirmation job of the transactional queue, and fails a malformed one at once', async () => {
    const prefix = newPrefix();
    const config: Pick<Config, 'QUEUE_PREFIX' | 'SEND_ATTEMPTS' | 'SEND_RETRY_DELAY_MS'> = {
      QUEUE_PREFIX: prefix,
      SEND_ATTEMPTS: 3,
      SEND_RETRY_DELAY_MS: 50,
    };
    // the pages enqueue on their request connection, the worker takes jobs on its own
    const queue = openTransactionalQueue(connect('request'), config);
    const sent: unknown[] = [];
    const worker = await startTransactionalWorker({
      connection: connect(),
      prefix,
      logger: createSilentLogger(),
      sender: { send: async (job) => (sent.push(job), 'sent' as const) },
    });
    try {
      const mailer = createConfirmationMailer({ queue, clock: fixedClock(new Date()) });
      await mailer.enqueueConfirmation({ subscriberId: 42, locale: 'fr' });
      await waitFor(async () => sent.length === 1, 10_000, 'the confirmation sent');
      expect(sent).toEqual([{ kind: 'confirm', subscriberId: 42, locale: 'fr' }]);
      const bad = await queue.add('confirm', { kind: 'confirm', subscriberId: 'forty-two' });
      await waitFor(async () => (await bad.getState()) === 'failed', 10_000, 'the job failed');
      expect((await queue.getJob(bad.id ?? ''))?.attemptsMade).toBe(1);
      expect(sent).toHaveLength(1);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('serves the pages with /readyz asking the cluster (`depeche serve`)', async () => {
    const config = deliveryTestConfig({
      REDIS_URL: cluster.url,
      QUEUE_PREFIX: newPrefix(),
      DATABASE_URL: databaseUrl,
    });
    const serve = await startServeProcess({
      config,
      logger: createSilentLogger(),
      host: '127.0.0.1',
      port: 0,
      isRunningWorkers: false,
    });
    try {
      const ready = await fetch(`${serve.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toContain('redis');
      expect((await fetch(`${serve.url}/subscribe`)).status).toBe(200);
    } finally {
      await serve.close();
    }
  });

  describe('the pages', () => {
    const apps: TestWebApp[] = [];
    afterAll(async () => {
      for (const web of apps) await web.app.close();
    });

    it('count the sign-in limit of two web processes together, under the hash-tagged prefix', async () => {
      const prefix = newPrefix();
      const redis = connect('request');
      for (let i = 0; i < 2; i += 1) {
        apps.push(
          await buildTestWebApp({
            database: database.handle,
            redis,
            redisKeyPrefix: prefix,
            editor: { rateLimits: { perAddress: 2, perIp: 100 } },
          }),
        );
      }
      const email = 'chef@example.org';
      await apps[0]?.editor?.accounts.add(commandLineActor('test'), { email, role: 'admin' });
      const ask = async (web: TestWebApp) => {
        const page = await web.app.inject({ method: 'GET', url: '/editor/sign-in' });
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
        const cookie = page.cookies.find((c) => c.name === 'depeche_csrf');
        return web.app.inject({
          method: 'POST',
          url: '/editor/sign-in',
          cookies: cookie ? { depeche_csrf: cookie.value } : {},
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, email }).toString(),
        });
      };
      const [first, second] = apps as [TestWebApp, TestWebApp];
      expect((await ask(first)).statusCode).toBe(200);
      expect((await ask(second)).statusCode).toBe(200);
      expect((await ask(first)).statusCode).toBe(429);

      const keys = await keysOf(redis, prefix);
      expect(keys.length).toBeGreaterThan(0);
      for (const { key } of keys) expect(key.startsWith(`${prefix}:web-rate:`)).toBe(true);
      expect(new Set(keys.map((key) => key.slot))).toEqual(new Set([await slotOf(redis, prefix)]));
    });
  });

  it('fails fast naming the nodes when no node of a cluster answers', async () => {
    const url = 'redis://127.0.0.1:1,127.0.0.1:2';
    const redis = createCommandRedisConnection(url, 'depeche-cluster-test', 1000);
    const error = await assertRedisAnswers(redis, url, 3000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(
      /^Redis at the Redis Cluster 127\.0\.0\.1:1, 127\.0\.0\.1:2 does not answer \(.+\); nothing was changed/,
    );
  });

  // last: it stops the cluster
  it("fails a page's command at once while the cluster is down, where a worker's waits", async () => {
    const request = connect('request');
    const worker = connect();
    expect(await request.ping()).toBe('PONG');
    expect(await worker.ping()).toBe('PONG');
    await cluster.stop();
    const outcome = (command: Promise<unknown>) =>
      Promise.race([
        command.then(
          () => 'answered',
          (error: unknown) => (error instanceof Error ? 'failed' : 'rejected'),
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000)),
      ]);
    // a first command may still find its socket open: what follows finds the cluster down
    await outcome(request.ping());
    const [ofRequest, ofWorker] = await Promise.all([
      outcome(request.ping()),
      outcome(worker.ping()),
    ]);
    expect(ofRequest).toBe('failed');
    expect(ofWorker).toBe('still waiting');
  });
});
