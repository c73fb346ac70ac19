import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { type Config } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { createSmtpTransport } from '../../src/mail/index.ts';
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
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../helpers/smtp-sink.ts';

type Runtime = Awaited<ReturnType<typeof startDeliveryRuntime>>;

const AUDIENCE = 300;

/**
 * Campaigns through the BullMQ workers against a relay that misbehaves on purpose (the fault
 * sink): whatever the fault, a recipient is never sent the message twice unless their row says
 * `uncertain`, none is lost without being `uncertain`, and the campaign finishes by itself.
 */
describe('delivery under relay faults (PostgreSQL, Redis, fault-injecting SMTP sink)', () => {
  let database: TestDatabase;
  let sink: SmtpSink | undefined;
  let runtime: Runtime | undefined;
  let redis: ReturnType<typeof createRedisConnection> | undefined;
  let config: Config;

  beforeAll(async () => {
    database = await openTestPostgres();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(database.handle.db);
    await seedAudience(database.handle.db, AUDIENCE);
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

  /** Starts the sink and the workers; a short socket timeout so slow replies time out. */
  async function start(
    sinkOptions: SmtpSinkOptions,
    {
      socketTimeoutMs = 500,
      env = {},
    }: { socketTimeoutMs?: number; env?: Record<string, string> } = {},
  ) {
    sink = await startSmtpSink(sinkOptions);
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix(), SMTP_URL: sink.url, ...env });
    redis = createRedisConnection(config.REDIS_URL);
    const logger = createSilentLogger();
    runtime = await startDeliveryRuntime({
      config,
      logger,
      clock: systemClock,
      database: database.handle,
      redis,
      transport: createSmtpTransport({
        urls: [sink.url],
        poolSize: config.SMTP_POOL_SIZE,
        logger,
        socketTimeoutMs,
        relayCooldownMs: 200,
      }),
    });
    return runtime.delivery.service;
  }

  const statusOf = async (id: number) =>
    (await runtime!.delivery.service.progress(id)).campaign.status;

  /** How many times the sink stored a message for each recipient. */
  function storedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const message of sink!.messages) {
      const rcpt = message.envelope.rcptTo[0] ?? '';
      counts.set(rcpt, (counts.get(rcpt) ?? 0) + 1);
    }
    return counts;
  }

  async function rowsByStatus(campaignId: number): Promise<Map<string, string[]>> {
    const rows = await queryRows<{ email: string; status: string }>(
      database.handle.db,
      sql`SELECT s.email, d.status FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE d.campaign_id = ${campaignId}`,
    );
    const byStatus = new Map<string, string[]>();
    for (const row of rows)
      byStatus.set(row.status, [...(byStatus.get(row.status) ?? []), row.email]);
    return byStatus;
  }

  /**
   * The promises, checked on the finished campaign: every row sent or uncertain; a sent row's
   * recipient got it exactly once; anyone who got it twice, or not at all, is uncertain.
   */
  async function expectNoUnmarkedDuplicate(campaignId: number) {
    const byStatus = await rowsByStatus(campaignId);
    const sent = byStatus.get('sent') ?? [];
    const uncertain = new Set(byStatus.get('uncertain') ?? []);
    expect(sent.length + uncertain.size).toBe(AUDIENCE);
    const stored = storedCounts();
    for (const email of sent) expect(stored.get(email)).toBe(1);
    for (const [email, times] of stored) if (times > 1) expect(uncertain.has(email)).toBe(true);
    const stored0 = [...uncertain].filter((email) => !stored.has(email));
    const storedUncertain = [...uncertain].filter((email) => stored.has(email));
    // stored messages are exactly the sent rows plus the uncertain rows the relay kept
    expect(sink!.messages.length).toBe(sent.length + storedUncertain.length);
    return { sent, uncertain, neverStored: stored0 };
  }

  it('records a message stored by the relay whose connection dropped as uncertain, once, not resent', async () => {
    const service = await start({ faults: { dropAfterStoreShare: 0.05 } });
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 90_000, 'done');

    const { uncertain, neverStored } = await expectNoUnmarkedDuplicate(campaign.id);
    const dropped = sink!.droppedAfterStore.map((m) => m.envelope.rcptTo[0]);
    expect(dropped).toHaveLength(AUDIENCE * 0.05);
    expect(uncertain).toEqual(new Set(dropped));
    expect(neverStored).toEqual([]);
    expect([...storedCounts().values()].every((n) => n === 1)).toBe(true);
    const { counts, campaign: finished } = await service.progress(campaign.id);
    expect(counts).toMatchObject({ sent: AUDIENCE - dropped.length, uncertain: dropped.length });
    expect(finished.sentCount).toBe(AUDIENCE - dropped.length);
    const [reason] = await queryRows<{ smtp_response: string }>(
      database.handle.db,
      sql`SELECT smtp_response FROM deliveries WHERE status = 'uncertain' LIMIT 1`,
    );
    expect(reason?.smtp_response).toMatch(/^message data sent, no final reply from the relay/);

    // only an explicit retry --uncertain sends them again: the duplicates are exactly those rows
    const retried = await service.retry(campaign.id, 'uncertain');
    expect(retried.requeued).toBe(dropped.length);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 90_000, 'done again');
    const twice = [...storedCounts()].filter(([, n]) => n > 1).map(([email]) => email);
    expect(new Set(twice)).toEqual(new Set(dropped));
    expect(storedCounts().size).toBe(AUDIENCE);
  });

  it('retries a connection dropped before DATA and stores that message exactly once, sent', async () => {
    const service = await start({ faults: { dropBeforeDataShare: 0.05 } });
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 90_000, 'done');

    expect(sink!.droppedBeforeDataCount()).toBeGreaterThanOrEqual(AUDIENCE * 0.05);
    const { sent, uncertain } = await expectNoUnmarkedDuplicate(campaign.id);
    expect(sent).toHaveLength(AUDIENCE);
    expect(uncertain.size).toBe(0);
    const stored = storedCounts();
    expect(stored.size).toBe(AUDIENCE);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('records a final reply later than the socket timeout as uncertain, stored once', async () => {
    const service = await start({ faults: { slowReplyShare: 0.02, slowReplyMs: 2000 } });
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 90_000, 'done');

    const { uncertain } = await expectNoUnmarkedDuplicate(campaign.id);
    const slow = sink!.slowReplied.map((m) => m.envelope.rcptTo[0]);
    expect(slow).toHaveLength(AUDIENCE * 0.02);
    expect(uncertain).toEqual(new Set(slow));
    expect([...storedCounts().values()].every((n) => n === 1)).toBe(true);
  });

  it('sends the rest of a batch, and the next batch, while one of its replies is slow', async () => {
    // One batch at a time (SEND_CONCURRENCY=1) of 50: the 110th and 220th messages, mid-batch,
    // get their reply only once 60 more messages were stored (more than their batch has left),
    // or after 10 s, within the socket timeout either way: they are sent, once.
    const service = await start(
      { faults: { slowReplyShare: 1 / 110, slowReplyMs: 10_000, slowReplyAfterMessages: 60 } },
      { socketTimeoutMs: 20_000, env: { SEND_CONCURRENCY: '1' } },
    );
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 90_000, 'done');

    const { sent } = await expectNoUnmarkedDuplicate(campaign.id);
    expect(sent).toHaveLength(AUDIENCE);
    expect([...storedCounts().values()].every((n) => n === 1)).toBe(true);
    const batchRows = await queryRows<{ email: string; batch_no: number }>(
      database.handle.db,
      sql`SELECT s.email, d.batch_no FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE d.campaign_id = ${campaign.id}`,
    );
    const batchOf = new Map(batchRows.map((row) => [row.email, Number(row.batch_no)]));
    /** Each batch's first message stored, by its order of acceptance. */
    const firstStored = new Map<number, number>();
    for (const stored of sink!.messages) {
      const no = batchOf.get(stored.envelope.rcptTo[0]!)!;
      if (!firstStored.has(no)) firstStored.set(no, stored.sequence!);
    }
    const slow = sink!.slowReplies;
    expect(slow).toHaveLength(2);
    for (const { message, acceptedWhenReplied } of slow) {
      // what the sink stored between the slow message and its reply
      expect(acceptedWhenReplied).toBeDefined();
      const during = sink!.messages.filter(
        (other) => other.sequence! > message.sequence! && other.sequence! < acceptedWhenReplied!,
      );
      const batch = batchOf.get(message.envelope.rcptTo[0]!)!;
      // its batch's other messages went on through the other lanes…
      const sameBatch = during.filter((other) => batchOf.get(other.envelope.rcptTo[0]!) === batch);
      expect(sameBatch.length).toBeGreaterThan(0);
      // …and the next batch started without waiting for that reply: some other batch's first
      // message came after the slow one (batches need not start in the order of their numbers)
      expect(during.length).toBe(60);
      const started = [...firstStored].filter(
        ([no, sequence]) =>
          no !== batch && sequence > message.sequence! && sequence < acceptedWhenReplied!,
      );
      expect(started.length).toBeGreaterThan(0);
    }
  });

  it('finishes by itself when the relay goes down for a while mid-campaign', async () => {
    const service = await start({ dataDelayMs: 2 });
    const campaign = await createTestCampaign(database.handle.db);
    await service.send(campaign.id);
    await waitFor(async () => sink!.messages.length >= AUDIENCE / 3, 60_000, 'a third sent');
    await sink!.down();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sink!.up();
    await waitFor(async () => (await statusOf(campaign.id)) === 'done', 120_000, 'done');

    const { counts } = await service.progress(campaign.id);
    expect(counts).toMatchObject({ queued: 0, sending: 0, failed: 0 });
    await expectNoUnmarkedDuplicate(campaign.id);
  });
});
