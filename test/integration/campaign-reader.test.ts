import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  CampaignNotFoundError,
  createCampaignReader,
  parseSegment,
  SendingStatusSchema,
} from '../../src/campaigns/index.ts';
import {
  createAudienceRepository,
  createCampaignProgressRepository,
  createCampaignRepository,
  createDeliveryRepository,
  type Database,
} from '../../src/db/index.ts';
import {
  createTestCampaign,
  seedAudience,
  testSnapshot,
  truncateDeliveryTables,
} from '../helpers/campaign-fixtures.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

/** What the command line and the workspace show of campaigns, on both databases. */
describe.each(databaseKinds)('campaign reader on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;
  let readings = 0;
  const progress = createCampaignProgressRepository();
  const campaigns = createCampaignRepository();

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(db);
    readings = 0;
  });

  const reader = () =>
    createCampaignReader({
      db,
      campaigns,
      deliveries: createDeliveryRepository(),
      audience: createAudienceRepository(),
      // the real repository, counting how often it is read
      progress: {
        read: (_handle, campaignId, windowSec) => {
          readings += 1;
          return progress.read(db, campaignId, windowSec);
        },
      },
    });

  /** A sending campaign of 100 recipients: 40 sent lately, 5 failed, 2 uncertain, 3 skipped. */
  async function campaignMidSend() {
    await seedAudience(db, 100);
    const campaign = await createTestCampaign(db);
    await db.execute(sql`UPDATE campaigns SET status = 'sending', is_fanout_done = true,
                           started_at = now() - interval '2 minutes' WHERE id = ${campaign.id}`);
    await db.execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, smtp_response, updated_at)
      SELECT ${campaign.id}, id, (id - 1) / 50,
             CASE WHEN id <= 40 THEN 'sent' WHEN id <= 45 THEN 'failed'
                  WHEN id <= 47 THEN 'uncertain' WHEN id <= 50 THEN 'skipped'
                  WHEN id <= 52 THEN 'sending' ELSE 'queued' END,
             CASE WHEN id BETWEEN 41 AND 43 THEN '550 5.1.1 <user' || id || '@example.org>: no such user'
                  WHEN id BETWEEN 44 AND 45 THEN '552 mailbox full' END,
             -- the 40 sent over the last 20 seconds, the failed ones an hour ago
             CASE WHEN id <= 40 THEN now() - (id * interval '500 ms')
                  ELSE now() - interval '1 hour' END
      FROM subscribers`);
    return campaign;
  }

  it('reads counts, speed and time left of a campaign being sent', async () => {
    const campaign = await campaignMidSend();
    const status = await reader().status(campaign.id);
    expect(SendingStatusSchema.parse(status)).toEqual(status);
    expect(status).toMatchObject({
      id: campaign.id,
      newsletterId: 'adn',
      issueKey: 'adn/2026-11',
      status: 'sending',
      total: 100,
      sent: 40,
      failed: 5,
      uncertain: 2,
      skipped: 3,
      remaining: 50,
      isFanoutDone: true,
    });
    // 40 outcomes over about 20 seconds: about 2 per second, 50 left: about 25 s
    expect(status.messagesPerSecond).toBeGreaterThan(1.5);
    expect(status.messagesPerSecond).toBeLessThan(2.5);
    expect(status.etaSeconds).toBeGreaterThan(15);
    expect(status.etaSeconds).toBeLessThan(40);
  });

  it('reads a draft campaign with no rows as zeros and no speed', async () => {
    const campaign = await createTestCampaign(db);
    const status = await reader().status(campaign.id);
    expect(status).toMatchObject({ status: 'draft', total: 0, remaining: 0 });
    expect(status.messagesPerSecond).toBeNull();
    expect(status.etaSeconds).toBeNull();
  });

  it('answers many callers asking at once with one reading', async () => {
    const campaign = await campaignMidSend();
    const campaignReader = reader();
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => campaignReader.status(campaign.id)),
    );
    expect(readings).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // nothing is kept once answered: the next call reads again
    await db.execute(sql`UPDATE deliveries SET status = 'sent' WHERE status = 'sending'`);
    expect((await campaignReader.status(campaign.id)).sent).toBe(42);
    expect(readings).toBe(2);
  });

  it('says which campaign does not exist', async () => {
    await expect(reader().status(424242)).rejects.toThrow(CampaignNotFoundError);
    await expect(reader().status(424242)).rejects.toThrow(/Campaign 424242 does not exist/);
  });

  it('groups failure replies without their addresses, most frequent first', async () => {
    const campaign = await campaignMidSend();
    expect(await reader().topFailures(campaign.id)).toEqual([
      { reply: '550 5.1.1 <…>: no such user', count: 3 },
      { reply: '552 mailbox full', count: 2 },
    ]);
  });

  it('keeps the five most frequent failure replies', async () => {
    const campaign = await campaignMidSend();
    await db.execute(sql`UPDATE deliveries SET status = 'failed',
                           smtp_response = '55' || (id % 7) || ' refused'
                         WHERE campaign_id = ${campaign.id} AND status = 'queued'`);
    const top = await reader().topFailures(campaign.id);
    expect(top).toHaveLength(5);
    const counts = top.map((f) => f.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('counts the audience of a segment before a campaign exists, as the fan-out walks it', async () => {
    await seedAudience(db, 50);
    // user10 (even: US, n % 5 = 0: English) suppressed; one more subscriber of another newsletter
    await db.execute(sql`INSERT INTO suppressions (email_hash, reason)
      SELECT email_hash, 'hard_bounce' FROM subscribers WHERE email = 'user10@example.org'`);
    const campaignReader = reader();
    const size = (newsletterId: string, text?: string) =>
      campaignReader.audienceSize({ newsletterId, segment: parseSegment(text) });
    expect(await size('adn')).toBe(49);
    expect(await size('adn', 'country=US')).toBe(24);
    expect(await size('adn', 'country=us|mx,locale=en')).toBe(9);
    expect(await size('fil-de-marianne')).toBe(0);
  });

  it('lists the campaigns of one newsletter, the most recent first', async () => {
    const first = await createTestCampaign(db);
    const other = await campaigns.create(db, {
      ...testSnapshot('fil-de-marianne'),
      segment: {},
    });
    const second = await createTestCampaign(db, { locale: ['fr'] });
    const campaignReader = reader();
    expect(
      (await campaignReader.list({ limit: 10, newsletterId: 'adn' })).map((c) => c.id),
    ).toEqual([second.id, first.id]);
    expect(
      (await campaignReader.list({ limit: 10, newsletterId: 'fil-de-marianne' })).map((c) => c.id),
    ).toEqual([other.id]);
    expect(await campaignReader.list({ limit: 10, newsletterId: 'nope' })).toEqual([]);
    expect(
      (await campaignReader.list({ limit: 1, newsletterId: 'adn', statuses: ['draft'] })).length,
    ).toBe(1);
  });
});
