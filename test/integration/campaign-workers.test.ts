import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildDelivery, type Delivery } from '../../src/app/build-delivery.ts';
import { type Config } from '../../src/config/index.ts';
import { type DatabaseHandle, migrate, openDatabase, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  truncateDeliveryTables,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Recipients of each test campaign: enough to kill a worker mid-campaign. */
const AUDIENCE = 1500;

/** Worker processes start tsx and share 2 cores with other test files: allow for it. */
const WORKER_TEST_TIMEOUT_MS = 240_000;

/** Worker processes (`node bin/depeche.js worker`) against a PostgreSQL schema of their own. */
describe('worker processes', () => {
  const schema = `t_workers_${process.pid}_${Date.now()}`;
  const databaseUrl = `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let handle: DatabaseHandle;
  let dataDir: string;
  let sink: SmtpSink;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let delivery: Delivery;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    handle = await openDatabase({ kind: 'postgres', url: testDatabaseUrl, schema });
    await migrate(handle);
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-workers-'));
  });
  afterAll(async () => {
    await handle.close();
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await truncateDeliveryTables(handle.db);
    sink = await startSmtpSink({ dataDelayMs: 3 });
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix(), SMTP_URL: sink.url });
    redis = createRedisConnection(config.REDIS_URL);
    delivery = buildDelivery({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: handle,
      redis,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await delivery.close();
    await closeRedisConnection(redis);
    await sink.close();
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  /** Starts `depeche worker` and resolves once it says it started. */
  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [path.join(root, 'bin/depeche.js'), 'worker'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DEPECHE_ENV: 'test',
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        // no newsletters: the feed polling this process also runs has nothing to fetch
        ISSUES_DIR: dataDir,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: config.QUEUE_PREFIX,
        SMTP_URL: sink.url,
        SMTP_POOL_SIZE: '2',
        SECRET_KEY: config.SECRET_KEY,
        PUBLIC_URL: config.PUBLIC_URL,
        SEND_RATE_PER_SECOND: '100000',
        SEND_BATCH_SIZE: '50',
        SEND_CONCURRENCY: '2',
        SEND_RETRY_DELAY_MS: '50',
        WORKER_LOCK_DURATION_MS: '2000',
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
    return child;
  }

  const statusOf = async (id: number) => (await delivery.service.progress(id)).campaign.status;
  const receivedCounts = () => {
    const counts = new Map<string, number>();
    for (const message of sink.messages) {
      const rcpt = message.envelope.rcptTo[0] ?? '';
      counts.set(rcpt, (counts.get(rcpt) ?? 0) + 1);
    }
    return counts;
  };

  it(
    'loses nothing and sends nothing twice when a worker is SIGKILLed mid-campaign',
    async () => {
      await seedAudience(handle.db, AUDIENCE);
      const first = await startWorker();
      const campaign = await createTestCampaign(handle.db);
      await delivery.service.send(campaign.id);
      await waitFor(async () => sink.messages.length >= 300, 120_000, 'the first messages');
      // Freeze the sink: no message is accepted any more; the worker writes the outcomes of those
      // already accepted and is killed while messages wait for the answer to their DATA.
      sink.hold();
      await waitFor(
        async () =>
          sink.inDataCount() >= 1 && (await countSent(campaign.id)) === sink.acceptedCount(),
        60_000,
        'a message held in DATA, every accepted one recorded',
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      // the held messages' client is gone: never accepted (no reply to DATA reached anyone)
      await waitFor(async () => sink.connectionCount() === 0, 30_000, 'the dead connections');
      sink.release();
      expect(sink.abandonedCount()).toBeGreaterThanOrEqual(1);

      await startWorker();
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 180_000, 'done');

      const received = receivedCounts();
      expect([...received.values()].every((n) => n === 1)).toBe(true); // 0 duplicates
      const rows = await queryRows<{ email: string; status: string }>(
        handle.db,
        sql`SELECT s.email, d.status FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`,
      );
      const byStatus = new Map<string, string[]>();
      for (const row of rows) {
        byStatus.set(row.status, [...(byStatus.get(row.status) ?? []), row.email]);
      }
      const sent = byStatus.get('sent') ?? [];
      const uncertain = byStatus.get('uncertain') ?? [];
      expect(sent.length + uncertain.length).toBe(AUDIENCE); // 0 lost: every row sent or uncertain
      expect(new Set(sent)).toEqual(new Set(received.keys()));
      // the uncertain rows are exactly what the sink did not see completed
      const notReceived = (await allEmails()).filter((email) => !received.has(email));
      expect(new Set(uncertain)).toEqual(new Set(notReceived));
      expect(uncertain.length).toBeGreaterThanOrEqual(1);
      // at most the rows the killed worker held at once: 8 × SMTP_POOL_SIZE (2)
      expect(uncertain.length).toBeLessThanOrEqual(16);
      const { counts } = await delivery.service.progress(campaign.id);
      expect(counts).toMatchObject({ sent: sent.length, uncertain: uncertain.length, queued: 0 });

      // retry --uncertain sends them: everyone has it once, nobody twice
      const retried = await delivery.service.retry(campaign.id, 'uncertain');
      expect(retried.requeued).toBe(uncertain.length);
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 180_000, 'done again');
      const after = receivedCounts();
      expect(after.size).toBe(AUDIENCE);
      expect([...after.values()].every((n) => n === 1)).toBe(true);
    },
    WORKER_TEST_TIMEOUT_MS,
  );

  it(
    'shares a campaign between two worker processes; SIGTERM stops one cleanly',
    async () => {
      await seedAudience(handle.db, AUDIENCE);
      const [first] = await Promise.all([startWorker(), startWorker()]);
      const campaign = await createTestCampaign(handle.db);
      await delivery.service.send(campaign.id);
      await waitFor(
        async () => sink.messages.length >= AUDIENCE / 3,
        120_000,
        'a third of the messages',
      );
      // graceful: messages in flight finish, the rest of its batches go back to the queue
      first!.kill('SIGTERM');
      const exitCode = await new Promise((resolve) => first!.once('exit', resolve));
      expect(exitCode).toBe(0);
      await waitFor(async () => (await statusOf(campaign.id)) === 'done', 180_000, 'done');
      const received = receivedCounts();
      expect(received.size).toBe(AUDIENCE);
      expect(sink.messages).toHaveLength(AUDIENCE);
      const { counts } = await delivery.service.progress(campaign.id);
      expect(counts).toMatchObject({ sent: AUDIENCE, uncertain: 0, failed: 0 });
    },
    WORKER_TEST_TIMEOUT_MS,
  );

  async function countSent(campaignId: number): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      handle.db,
      sql`SELECT count(*)::int AS n FROM deliveries
          WHERE campaign_id = ${campaignId} AND status = 'sent'`,
    );
    return row?.n ?? 0;
  }

  async function allEmails(): Promise<string[]> {
    const rows = await queryRows<{ email: string }>(handle.db, sql`SELECT email FROM subscribers`);
    return rows.map((row) => row.email);
  }
});
