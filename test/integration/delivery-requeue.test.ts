import { type Job, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { type Config } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import {
  closeRedisConnection,
  createDeliveryQueues,
  createQueueEnqueuer,
  createRedisConnection,
  type DeliveryQueues,
} from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  truncateDeliveryTables,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

/** Enqueuing batches again (retry, resume, the watchdog) on real Redis. */
describe('sending batches again', () => {
  let redis: ReturnType<typeof createRedisConnection>;
  let prefix: string;
  let queues: DeliveryQueues;
  const workers: Worker[] = [];

  beforeEach(() => {
    prefix = testQueuePrefix();
    redis = createRedisConnection(deliveryTestConfig({}).REDIS_URL);
    queues = createDeliveryQueues(redis, prefix, { attempts: 1, retryDelayMs: 50 });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close(true);
    await queues.close();
    await closeRedisConnection(redis);
    await deleteRedisKeys(deliveryTestConfig({}).REDIS_URL, prefix);
  });

  it('adds a job of a new generation for a batch whose job is running, never dropped', async () => {
    const enqueuer = createQueueEnqueuer(queues);
    const processed: string[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    workers.push(
      new Worker(
        'send-batch',
        async (job: Job) => {
          processed.push(job.id ?? '');
          if (job.id === '7-0') await gate;
        },
        { connection: redis, prefix, concurrency: 2 },
      ),
    );
    await enqueuer.sendBatches(7, [0], false);
    await waitFor(async () => processed.includes('7-0'), 10_000, 'the first job running');
    // the batch is sent again while its job runs: a job of a new id, not a duplicate dropped
    await enqueuer.sendBatches(7, [0], true);
    await waitFor(async () => processed.length === 2, 10_000, 'the second job');
    expect(processed[1]).toMatch(/^7-0-g\d+$/);
    open();
    await waitFor(
      async () => (await queues.sendBatch.getJobCounts('active', 'wait')).active === 0,
      10_000,
      'both jobs finished',
    );
    // finished jobs are removed: the next time the plain id is used again
    await enqueuer.sendBatches(7, [0], true);
    await waitFor(async () => processed.length === 3, 10_000, 'the third job');
    expect(processed[2]).toBe('7-0');
  });

  it('adds nothing for a batch whose job still waits: that job reads the rows when it starts', async () => {
    const enqueuer = createQueueEnqueuer(queues);
    await enqueuer.sendBatches(8, [0, 1], false);
    await enqueuer.sendBatches(8, [0, 1, 2], true);
    const waiting = await queues.sendBatch.getJobs(['wait']);
    expect(waiting.map((job) => job.id).sort()).toEqual(['8-0', '8-1', '8-2']);
  });
});

/** `retry` of a paused campaign or racing a running batch, through the workers. */
describe('retry of a paused campaign or of a running batch', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let runtime: Awaited<ReturnType<typeof startDeliveryRuntime>>;
  let isRefusing = true;

  beforeAll(async () => {
    database = await openTestPostgres();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(database.handle.db);
    isRefusing = true;
    sink = await startSmtpSink({
      dataDelayMs: 30,
      // the first five subscribers are refused (5.7.1: failed, not suppressed) while isRefusing
      rejectRecipients: (rcpt) =>
        isRefusing && /^user[1-5]@/.test(rcpt)
          ? { code: 554, message: '5.7.1 Rejected for policy reasons' }
          : undefined,
    });
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix(), SMTP_URL: sink.url });
    redis = createRedisConnection(config.REDIS_URL);
    runtime = await startDeliveryRuntime({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
  });
  afterEach(async () => {
    await runtime.close();
    await closeRedisConnection(redis);
    await sink.close();
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  it('retry --failed sends the rest of the audience too, with no resume', async () => {
    const audience = 600;
    await seedAudience(database.handle.db, audience);
    const service = runtime.delivery.service;
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(
      async () => (await service.progress(campaign.id)).counts.failed >= 5,
      30_000,
      'the refused recipients',
    );
    await service.pause(campaign.id);
    const queue = runtime.delivery.queues.sendBatch;
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      },
      30_000,
      'no send job left',
    );
    const paused = await service.progress(campaign.id);
    expect(paused.campaign.status).toBe('paused');
    expect(paused.remaining).toBeGreaterThan(0);

    isRefusing = false;
    const retried = await service.retry(campaign.id, 'failed');
    expect(retried).toMatchObject({ requeued: 5, campaign: { status: 'sending' } });
    await waitFor(
      async () => (await service.progress(campaign.id)).campaign.status === 'done',
      60_000,
      'done without resume',
    );
    const done = await service.progress(campaign.id);
    expect(done.counts).toMatchObject({ sent: audience, failed: 0, queued: 0, uncertain: 0 });
    const recipients = sink.messages.map((m) => m.envelope.rcptTo[0]);
    expect(recipients).toHaveLength(audience);
    expect(new Set(recipients).size).toBe(audience);
  });

  it('retry --uncertain while the batch that holds those rows still runs sends them, no resume', async () => {
    isRefusing = false;
    const audience = 50; // one batch (SEND_BATCH_SIZE 50)
    await seedAudience(database.handle.db, audience);
    const service = runtime.delivery.service;
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => sink.messages.length >= 5, 30_000, 'the first messages');
    // the batch's job stays active: its lanes wait for the answer to their DATA
    sink.hold();
    await waitFor(async () => sink.inDataCount() >= 1, 30_000, 'a message held in DATA');
    // three rows the running job has finished are uncertain (as a dropped reply leaves them)
    const marked = await queryRows<{ id: string }>(
      database.handle.db,
      sql`UPDATE deliveries SET status = 'uncertain' WHERE id IN (
            SELECT id FROM deliveries WHERE campaign_id = ${campaign.id} AND status = 'sent'
            ORDER BY id LIMIT 3)
          RETURNING id`,
    );
    expect(marked).toHaveLength(3);
    const retried = await service.retry(campaign.id, 'uncertain');
    expect(retried.requeued).toBe(3);
    sink.release();
    await waitFor(
      async () => {
        const { campaign: current, counts } = await service.progress(campaign.id);
        return current.status === 'done' && counts.sent === audience;
      },
      60_000,
      'done without resume',
    );
    const recipients = sink.messages.map((m) => m.envelope.rcptTo[0]);
    expect(new Set(recipients).size).toBe(audience);
    // the three retried rows went out again, as retry --uncertain asks; nothing else did
    expect(recipients).toHaveLength(audience + 3);
  });
});
