import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/free-port.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const AUDIENCE = 400;

/** A Redis server of this test's own that keeps nothing on disk: a restart loses everything. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    'the test Redis to answer',
  );
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('a Redis that loses its data mid-campaign (a server of its own, PostgreSQL)', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let redisPort: number;
  let redisServer: ChildProcess;

  beforeAll(async () => {
    database = await openTestPostgres();
    redisPort = await freePort();
    redisServer = await startRedis(redisPort);
    // Slow enough that the campaign is still sending when Redis goes.
    sink = await startSmtpSink({ dataDelayMs: 15 });
  });
  afterAll(async () => {
    await stopRedis(redisServer);
    await sink.close();
    await database.drop();
  });

  it('completes by itself: the sweep comes back and the watchdog enqueues what was lost', async () => {
    const db = database.handle.db;
    await seedAudience(db, AUDIENCE);
    const config = deliveryTestConfig({
      QUEUE_PREFIX: testQueuePrefix(),
      SMTP_URL: sink.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SEND_BATCH_SIZE: '20',
      SEND_CONCURRENCY: '2',
      CAMPAIGN_REKICK_AFTER_SEC: '2',
      CAMPAIGN_SWEEP_EVERY_SEC: '1',
    });
    const redis = createRedisConnection(config.REDIS_URL, 'test-data-loss');
    redis.on('error', () => undefined);
    const runtime = await startDeliveryRuntime({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    try {
      const campaign = await createTestCampaign(db);
      await runtime.delivery.service.send(campaign.id);
      await waitFor(
        async () => (await runtime.delivery.service.progress(campaign.id)).counts.sent >= 60,
        60_000,
        'the first messages',
      );

      // Redis dies and comes back empty: every queued job and the sweep's schedule are gone.
      await stopRedis(redisServer);
      redisServer = await startRedis(redisPort);
      const afterRestart = await runtime.delivery.service.progress(campaign.id);
      expect(afterRestart.remaining).toBeGreaterThan(0);

      await waitFor(
        async () =>
          (await runtime.delivery.service.progress(campaign.id)).campaign.status === 'done',
        120_000,
        'the campaign to reach done without an operator',
      );
      const { counts } = await runtime.delivery.service.progress(campaign.id);
      expect(counts.sent + counts.uncertain).toBe(AUDIENCE);
      expect(counts.queued + counts.sending + counts.failed).toBe(0);
      // Nobody lost, and whoever got the message twice is among the rows marked uncertain.
      const received = new Map<string, number>();
      for (const message of sink.messages) {
        for (const to of message.envelope.rcptTo) received.set(to, (received.get(to) ?? 0) + 1);
      }
      expect(received.size).toBe(AUDIENCE);
      const twice = [...received.values()].filter((n) => n > 1).length;
      expect(twice).toBeLessThanOrEqual(counts.uncertain);
    } finally {
      await runtime.close();
      await closeRedisConnection(redis);
    }
  }, 240_000);
});
