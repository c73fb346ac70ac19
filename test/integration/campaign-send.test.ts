import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { type Config } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
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
import { approveIssue } from '../helpers/review-fixtures.ts';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../helpers/smtp-sink.ts';

type Runtime = Awaited<ReturnType<typeof startDeliveryRuntime>>;

describe('campaigns through BullMQ workers (PostgreSQL, Redis, SMTP sink)', () => {
  let database: TestDatabase;
  let sink: SmtpSink | undefined;
  let runtime: Runtime | undefined;
  let redis: ReturnType<typeof createRedisConnection> | undefined;
  let config: Config;

  beforeAll(async () => {
    database = await openTestPostgres();
    await approveIssue(database.handle.db, 'adn/2026-11');
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(database.handle.db);
  });
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    if (redis) await closeRedisConnection(redis);
    redis = undefined;
    await sink?.close();
    sink = undefined;
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  async function start(sinkOptions: SmtpSinkOptions = {}, overrides: Record<string, string> = {}) {
    sink = await startSmtpSink(sinkOptions);
    config = deliveryTestConfig({
      QUEUE_PREFIX: testQueuePrefix(),
      SMTP_URL: sink.url,
      ...overrides,
    });
    redis = createRedisConnection(config.REDIS_URL);
    runtime = await startDeliveryRuntime({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    return runtime.delivery.service;
  }

  const db = () => database.handle.db;
  const statusOf = async (id: number) =>
    (await runtime!.delivery.service.progress(id)).campaign.status;
  const recipientsAtSink = () => sink!.messages.map((m) => m.envelope.rcptTo[0]);

  it('delivers a campaign of 3,000 recipients exactly once each', async () => {
    await seedAudience(db(), 3000);
    const service = await start();
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 60_000, 'done');

    const received = recipientsAtSink();
    expect(received).toHaveLength(3000);
    expect(new Set(received).size).toBe(3000);
    const progress = await service.progress(campaign.id);
    expect(progress.counts).toMatchObject({ sent: 3000, queued: 0, sending: 0, failed: 0 });
    expect(progress.campaign.sentCount).toBe(3000);
    // completed jobs are removed: Redis keeps no job per batch
    expect(
      await runtime!.delivery.queues.sendBatch.getJobCounts('completed', 'wait', 'delayed'),
    ).toEqual({
      completed: 0,
      wait: 0,
      delayed: 0,
    });
  });

  it('sends nothing again when send jobs of a finished campaign are delivered a second time', async () => {
    await seedAudience(db(), 300);
    const service = await start();
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 60_000, 'done');
    expect(sink!.messages).toHaveLength(300);
    // a redelivered or re-enqueued job (fresh ids, since completed jobs are removed)
    const batches = await queryRows<{ batch_no: number }>(
      db(),
      sql`SELECT DISTINCT batch_no FROM deliveries WHERE campaign_id = ${campaign.id}`,
    );
    expect(batches.length).toBeGreaterThan(1);
    const queue = runtime!.delivery.queues.sendBatch;
    await queue.addBulk(
      batches.map(({ batch_no }) => ({
        name: 'send-batch',
        data: { campaignId: campaign.id, batchNo: Number(batch_no) },
        opts: { jobId: `duplicate-${campaign.id}-${batch_no}` },
      })),
    );
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      },
      30_000,
      'duplicate jobs processed',
    );
    expect(sink!.messages).toHaveLength(300);
    expect(new Set(recipientsAtSink()).size).toBe(300);
    const progress = await service.progress(campaign.id);
    expect(progress.counts).toMatchObject({ sent: 300, queued: 0, sending: 0, uncertain: 0 });
  });

  it('applies the segment and sends each subscriber the copy in their language', async () => {
    await seedAudience(db(), 200);
    const service = await start();
    const campaign = await createTestCampaign(db(), { country: ['US'] });
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(100);
    const english = sink!.messages.filter((m) => m.envelope.rcptTo[0] === 'user10@example.org');
    expect(english[0]?.raw.toString()).toContain('Content-Language: en');
    expect(english[0]?.raw.toString()).toContain('https://news.example.org/u/');
    // The Message-ID starts with the campaign's random key: unique across databases.
    expect(campaign.messageKey).toMatch(/^[0-9a-f]{20}$/);
    expect(english[0]?.raw.toString()).toContain(
      `Message-ID: <${campaign.messageKey}.s10@example.org>`,
    );
    // "view online" opens the web version in the copy's language, whatever the browser prefers
    const englishHtml = (await simpleParser(english[0]!.raw)).html || '';
    expect(englishHtml).toContain('href="https://news.example.org/archive/adn/2026-11?lang=en"');
    const french = sink!.messages.find((m) => m.envelope.rcptTo[0] === 'user2@example.org');
    expect((await simpleParser(french!.raw)).html || '').toContain(
      'href="https://news.example.org/archive/adn/2026-11?lang=fr"',
    );
    // the unsubscribe link carries a token the web pages accept, for this subscriber
    const token = /List-Unsubscribe: <https:\/\/news\.example\.org\/u\/([^>]+)>/.exec(
      english[0]?.raw.toString() ?? '',
    )?.[1];
    const signer = createTokenSigner({ keyId: config.SECRET_KEY_ID, secret: config.SECRET_KEY! });
    expect(signer.verify(token ?? '', 'unsubscribe', new Date())).toMatchObject({
      subscriberId: 10,
      newsletterId: 'adn',
    });
  });

  it('create renders the issue file in both languages into the campaign snapshot', async () => {
    await seedAudience(db(), 40);
    const service = await start();
    const { campaign, audienceCount } = await service.create({
      issueRef: 'adn/2026-11',
      segment: { locale: ['en'] },
    });
    expect(audienceCount).toBe(8);
    expect(campaign).toMatchObject({
      status: 'draft',
      issueKey: 'adn/2026-11',
      newsletterId: 'adn',
    });
    expect(campaign.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const bodies = await runtime!.delivery.campaigns.findBodies(db(), campaign.id);
    expect(bodies.map((b) => b.locale).sort()).toEqual(['en', 'fr']);
    expect(bodies.every((b) => b.html.includes('%%unsubscribe_url%%'))).toBe(true);
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(8);
    expect(sink!.messages[0]?.raw.toString()).toContain('Content-Language: en');
  });

  it('delivers everyone after retries when the relay answers 451 to 10 % of messages', async () => {
    await seedAudience(db(), 1000);
    const service = await start({ failShare: 0.1 });
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 60_000, 'done');
    expect(sink!.failedCount()).toBeGreaterThanOrEqual(100);
    const received = recipientsAtSink();
    expect(new Set(received).size).toBe(1000);
    expect(received).toHaveLength(1000);
    expect((await service.progress(campaign.id)).counts.sent).toBe(1000);
  });

  it('records 550 5.1.1 as failed, suppresses those addresses and delivers the rest', async () => {
    await seedAudience(db(), 500);
    const bad = new Set(['user7@example.org', 'user77@example.org', 'user177@example.org']);
    const service = await start({
      rejectRecipients: (rcpt) =>
        bad.has(rcpt) ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(497);
    const progress = await service.progress(campaign.id);
    expect(progress.counts).toMatchObject({ sent: 497, failed: 3 });
    expect(progress.topFailures[0]?.reply).toMatch(/^550 5\.1\.1/);
    const suppressed = await queryRows<{ n: number }>(
      db(),
      sql`SELECT count(*)::int AS n FROM suppressions WHERE reason = 'hard_bounce'`,
    );
    expect(suppressed[0]?.n).toBe(3);
  });

  it('pauses itself past SEND_MAX_ERROR_RATE and says why', async () => {
    await seedAudience(db(), 400);
    const service = await start(
      {
        rejectRecipients: (rcpt) =>
          /[02468]@/.test(rcpt) ? { code: 554, message: '5.7.1 Rejected' } : undefined,
      },
      { SEND_MAX_ERROR_RATE: '0.2', SEND_CONCURRENCY: '1' },
    );
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'paused', 30_000, 'paused');
    const progress = await service.progress(campaign.id);
    expect(progress.campaign.statusReason).toMatch(/error rate .* above SEND_MAX_ERROR_RATE/);
    expect(progress.counts.queued).toBeGreaterThan(0);
  });

  it('pause holds the queued messages, resume sends them, nothing twice', async () => {
    await seedAudience(db(), 1000);
    const service = await start({ dataDelayMs: 2 }, { SEND_CONCURRENCY: '1', SMTP_POOL_SIZE: '1' });
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => sink!.messages.length >= 100, 30_000, 'first messages');
    await service.pause(campaign.id);
    // batches in flight stop at their next flush; then nothing moves
    let atPause = -1;
    await waitFor(
      async () => {
        const before = sink!.messages.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
        atPause = sink!.messages.length;
        return atPause === before;
      },
      10_000,
      'the pause to take effect',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink!.messages.length).toBe(atPause);
    expect((await service.progress(campaign.id)).counts.sending).toBe(0);
    expect(atPause).toBeLessThan(1000);
    await service.resume(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 60_000, 'done');
    expect(new Set(recipientsAtSink()).size).toBe(1000);
    expect(recipientsAtSink()).toHaveLength(1000);
  });

  it('cancel stops a campaign for good', async () => {
    await seedAudience(db(), 1500);
    const service = await start({ dataDelayMs: 2 }, { SEND_CONCURRENCY: '1', SMTP_POOL_SIZE: '1' });
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => sink!.messages.length >= 50, 30_000, 'first messages');
    await service.cancel(campaign.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const progress = await service.progress(campaign.id);
    expect(progress.campaign.status).toBe('cancelled');
    expect(progress.counts.sending).toBe(0);
    expect(sink!.messages.length).toBe(progress.counts.sent);
    // what was not sent is skipped, not left as remaining
    expect(progress.counts.queued).toBe(0);
    expect(progress.remaining).toBe(0);
    expect(progress.counts.skipped).toBeGreaterThan(0);
    expect(progress.counts.sent + progress.counts.skipped).toBe(1500);
    await expect(service.resume(campaign.id)).rejects.toThrow(/cancelled/);
  });

  it('starts a scheduled campaign at its time', async () => {
    await seedAudience(db(), 50);
    const service = await start();
    const campaign = await createTestCampaign(db());
    await service.schedule(campaign.id, new Date(Date.now() + 1500));
    expect(await statusOf(campaign.id)).toBe('scheduled');
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(50);
  });

  it('leaves a campaign found more than 6 hours overdue waiting for send', async () => {
    await seedAudience(db(), 20);
    await start();
    const campaign = await createTestCampaign(db());
    const at = new Date(Date.now() + 60_000);
    await runtime!.delivery.service.schedule(campaign.id, at);
    // Replay the scheduler seven hours after the scheduled time (a restored server).
    const late = runtime!.delivery;
    const { createCampaignService } = await import('../../src/campaigns/index.ts');
    const { createAudienceRepository, createDeliveryRepository } =
      await import('../../src/db/index.ts');
    const lateService = createCampaignService({
      db: db(),
      campaigns: late.campaigns,
      deliveries: createDeliveryRepository(),
      audience: createAudienceRepository(),
      enqueue: {
        fanOut: async () => undefined,
        sendBatches: async () => undefined,
        scheduledStart: async () => undefined,
      },
      prepareIssue: () => Promise.reject(new Error('unused')),
      logger: createSilentLogger(),
      clock: fixedClock(new Date(at.getTime() + 7 * 3600_000)),
      batchSize: 50,
    });
    expect(await lateService.runScheduler({})).toEqual({ started: [] });
    const waiting = (await late.service.progress(campaign.id)).campaign;
    expect(waiting.status).toBe('scheduled');
    expect(waiting.statusReason).toMatch(/more than 6 hours late.*depeche campaign send/);
    await late.service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(20);
  });

  it('the sweep enqueues again a sending campaign whose jobs were lost', async () => {
    await seedAudience(db(), 120);
    const service = await start();
    const campaign = await createTestCampaign(db());
    // as if Redis had been flushed after the fan-out: rows queued, no job anywhere
    await db().execute(sql`UPDATE campaigns SET status = 'sending' WHERE id = ${campaign.id}`);
    const { createCampaignService } = await import('../../src/campaigns/index.ts');
    const { createAudienceRepository, createDeliveryRepository } =
      await import('../../src/db/index.ts');
    const withoutQueue = createCampaignService({
      db: db(),
      campaigns: runtime!.delivery.campaigns,
      deliveries: createDeliveryRepository(),
      audience: createAudienceRepository(),
      enqueue: {
        fanOut: async () => undefined,
        sendBatches: async () => undefined,
        scheduledStart: async () => undefined,
      },
      prepareIssue: () => Promise.reject(new Error('unused')),
      logger: createSilentLogger(),
      clock: systemClock,
      batchSize: 50,
    });
    await withoutQueue.fanOut({ campaignId: campaign.id });
    await db().execute(
      sql`UPDATE campaigns SET updated_at = now() - interval '1 hour' WHERE id = ${campaign.id}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink!.messages).toHaveLength(0);
    await service.runScheduler({});
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    expect(sink!.messages).toHaveLength(120);
  });

  it('retry --failed sends again what was refused', async () => {
    await seedAudience(db(), 100);
    let isRefusing = true;
    const service = await start({
      rejectRecipients: (rcpt) =>
        isRefusing && rcpt.startsWith('user1') ? { code: 554, message: '5.7.1 Policy' } : undefined,
    });
    const campaign = await createTestCampaign(db());
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done');
    const failed = (await service.progress(campaign.id)).counts.failed;
    expect(failed).toBe(12); // user1, user10…user19, user100
    isRefusing = false;
    const result = await service.retry(campaign.id, 'failed');
    expect(result.requeued).toBe(12);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 30_000, 'done again');
    expect(new Set(recipientsAtSink()).size).toBe(100);
    expect(recipientsAtSink()).toHaveLength(100);
    expect((await service.progress(campaign.id)).campaign.failedCount).toBe(0);
  });
});
