import { userInfo } from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildDelivery } from '../../src/app/build-delivery.ts';
import { buildIssueReviewService } from '../../src/app/build-review.ts';
import type { Config } from '../../src/config/index.ts';
import { createAuditRepository } from '../../src/db/index.ts';
import { type Clock, createSilentLogger } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  testQueuePrefix,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';

describe('an issue becomes sent when a campaign of it starts sending (PostgreSQL, Redis)', () => {
  let database: TestDatabase;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let delivery: ReturnType<typeof buildDelivery>;
  let now = new Date('2026-12-01T08:00:00Z');
  const clock: Clock = { now: () => new Date(now) };
  const key = 'adn/2026-11';
  const hash = 'd'.repeat(64);
  const processUser = { kind: 'command-line' as const, name: userInfo().username };

  beforeAll(async () => {
    database = await openTestPostgres();
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix() });
    redis = createRedisConnection(config.REDIS_URL);
    delivery = buildDelivery({
      config,
      logger: createSilentLogger(),
      clock,
      database: database.handle,
      redis,
    });
  });
  afterAll(async () => {
    await delivery.close();
    await closeRedisConnection(redis);
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    await database.drop();
  });

  const review = () => buildIssueReviewService({ config, db: database.handle.db, clock });

  it('marks the approved issue sent at `send`, keeping its approval, and audits it', async () => {
    const writer = { kind: 'command-line' as const, name: 'ana' };
    const publisher = { kind: 'command-line' as const, name: 'bruno' };
    await review().recordSave(key, hash, writer);
    await review().submit(key, hash, writer);
    await review().approve(key, hash, publisher);
    const campaign = await createTestCampaign(database.handle.db);
    expect((await review().statusOf(key, hash)).state).toBe('approved');

    await delivery.service.send(campaign.id);
    const status = await review().statusOf(key, hash);
    expect(status.state).toBe('sent');
    expect(status.review).toMatchObject({ sentCampaignId: campaign.id, approvedBy: publisher });
    expect(await review().approvalOf(key, hash)).toMatchObject({ approved: true, by: publisher });
    const [entry] = await createAuditRepository(database.handle.db).list({
      action: 'issue.sent',
    });
    expect(entry).toMatchObject({
      actor: processUser,
      objectId: key,
      details: { campaignId: campaign.id, from: 'approved', wasApproved: true },
    });
  });

  it('marks it sent at the scheduled start of a later campaign', async () => {
    const campaign = await createTestCampaign(database.handle.db);
    await delivery.service.schedule(campaign.id, new Date(now.getTime() + 60_000));
    expect((await review().statusOf(key, hash)).review.sentCampaignId).not.toBe(campaign.id);
    now = new Date(now.getTime() + 120_000);
    expect(await delivery.service.runScheduler({ campaignId: campaign.id })).toEqual({
      started: [campaign.id],
    });
    expect((await review().statusOf(key, hash)).review).toMatchObject({
      state: 'sent',
      sentCampaignId: campaign.id,
      sentAt: now,
    });
  });
});
