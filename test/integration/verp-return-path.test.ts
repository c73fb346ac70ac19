import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { createVerpAddresses } from '../../src/bounces/index.ts';
import { type Config } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
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
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

type Runtime = Awaited<ReturnType<typeof startDeliveryRuntime>>;

describe('VERP envelope sender and Message-IDs (PostgreSQL, Redis, SMTP sink)', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let runtime: Runtime;
  let redis: ReturnType<typeof createRedisConnection>;
  let config: Config;

  beforeAll(async () => {
    database = await openTestPostgres();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(database.handle.db);
    sink = await startSmtpSink();
    config = deliveryTestConfig({
      QUEUE_PREFIX: testQueuePrefix(),
      SMTP_URL: sink.url,
      BOUNCE_ADDRESS: 'bounces@news.example.org',
    });
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

  const db = () => database.handle.db;
  const verp = () =>
    createVerpAddresses({
      bounceAddress: 'bounces@news.example.org',
      secrets: [config.SECRET_KEY!],
    });
  const waitDone = (id: number) =>
    waitFor(
      async () => (await runtime.delivery.service.progress(id)).campaign.status === 'done',
      30_000,
      'campaign done',
    );
  const messageIdOf = async (raw: Buffer) => (await simpleParser(raw)).messageId;

  it('sends each message from its own signed bounce address naming its delivery row', async () => {
    await seedAudience(db(), 5);
    const campaign = await createTestCampaign(db());
    await runtime.delivery.service.send(campaign.id);
    await waitDone(campaign.id);

    const rows = await queryRows<{ id: string; email: string; message_id: string }>(
      db(),
      sql`SELECT d.id, s.email, d.message_id FROM deliveries d
          JOIN subscribers s ON s.id = d.subscriber_id WHERE d.campaign_id = ${campaign.id}`,
    );
    expect(sink.messages).toHaveLength(5);
    for (const message of sink.messages) {
      const row = rows.find((r) => r.email === message.envelope.rcptTo[0]);
      expect(message.envelope.mailFrom).toMatch(
        /^bounces\+[0-9a-z]+-[0-9a-f]{12}@news\.example\.org$/,
      );
      expect(verp().match(message.envelope.mailFrom)).toEqual({
        kind: 'delivery',
        deliveryId: Number(row?.id),
      });
      const messageId = await messageIdOf(message.raw);
      expect(messageId).toMatch(new RegExp(`^<${campaign.messageKey}\\.s\\d+@example\\.org>$`));
      expect(messageId).toBe(`<${row?.message_id}>`);
    }
    expect(new Set(sink.messages.map((m) => m.envelope.mailFrom)).size).toBe(5);
  });

  it('gives each campaign its own random key, so Message-IDs never repeat across campaigns', async () => {
    const first = await createTestCampaign(db());
    const second = await createTestCampaign(db());
    expect(first.messageKey).toMatch(/^[0-9a-f]{20}$/);
    expect(second.messageKey).not.toBe(first.messageKey);
  });

  it('resends a message after a crash with the same Message-ID and envelope sender', async () => {
    await seedAudience(db(), 3);
    const campaign = await createTestCampaign(db());
    await runtime.delivery.service.send(campaign.id);
    await waitDone(campaign.id);
    const first = sink.messages.find((m) => m.envelope.rcptTo[0] === 'user2@example.org')!;

    // the worker died after the relay took the message: the row is uncertain, then resent
    await db().execute(
      sql`UPDATE deliveries SET status = 'uncertain' WHERE campaign_id = ${campaign.id}
          AND subscriber_id = (SELECT id FROM subscribers WHERE email = 'user2@example.org')`,
    );
    await runtime.delivery.service.retry(campaign.id, 'uncertain');
    await waitFor(async () => sink.messages.length === 4, 30_000, 'resent message');
    const again = sink.messages[3]!;
    expect(again.envelope.rcptTo).toEqual(['user2@example.org']);
    expect(await messageIdOf(again.raw)).toBe(await messageIdOf(first.raw));
    expect(again.envelope.mailFrom).toBe(first.envelope.mailFrom);
  });
});
