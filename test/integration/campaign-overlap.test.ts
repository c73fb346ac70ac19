import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createAudienceRepository, type Database } from '../../src/db/index.ts';
import {
  createTestCampaign,
  seedAudience,
  truncateDeliveryTables,
} from '../helpers/campaign-fixtures.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

const audience = createAudienceRepository();

/** Who would get the same issue twice: the overlap query of the send guards, on both databases. */
describe.each(databaseKinds)('campaign overlap on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(db);
    // 20 subscribers; every fifth (4 of them) reads English, even ids live in the US.
    await seedAudience(db, 20);
  });

  const overlap = (segment = {}) =>
    audience.countOverlap(db, { issueKey: 'adn/2026-11', newsletterId: 'adn', segment });

  it('counts nobody when the issue was never sent, and ignores drafts and cancelled campaigns', async () => {
    expect(await overlap()).toEqual({ count: 0, campaignIds: [] });
    const draft = await createTestCampaign(db);
    const cancelled = await createTestCampaign(db);
    await db.execute(sql`UPDATE campaigns SET status = 'cancelled' WHERE id = ${cancelled.id}`);
    await db.execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status)
      SELECT ${cancelled.id}, id, 0, 'skipped' FROM subscribers`);
    expect((await overlap()).count).toBe(0);
    expect(draft.status).toBe('draft');
  });

  it('counts the recipients of a sent campaign who are in the new audience', async () => {
    const sent = await createTestCampaign(db, { locale: ['en'] });
    await db.execute(
      sql`UPDATE campaigns SET status = 'done', is_fanout_done = true WHERE id = ${sent.id}`,
    );
    await db.execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status)
      SELECT ${sent.id}, id, 0, CASE WHEN id = 5 THEN 'failed' ELSE 'sent' END
      FROM subscribers WHERE locale = 'en'`);
    // English readers 10, 15, 20 got it (5 failed); the US audience holds 10 and 20.
    expect(await overlap({ country: ['US'] })).toEqual({ count: 2, campaignIds: [sent.id] });
    expect((await overlap({ locale: ['fr'] })).count).toBe(0);
    expect((await overlap()).count).toBe(3);
  });

  it('counts the whole audience of a scheduled campaign whose fan-out has not run', async () => {
    const scheduled = await createTestCampaign(db, { country: ['MX'] });
    await db.execute(sql`UPDATE campaigns SET status = 'scheduled' WHERE id = ${scheduled.id}`);
    expect((await overlap()).count).toBe(10);
    expect((await overlap({ locale: ['en'] })).count).toBe(2);
    expect((await overlap({ country: ['US'] })).count).toBe(0);
    expect(
      (
        await audience.countOverlap(db, {
          issueKey: 'adn/2026-11',
          newsletterId: 'adn',
          segment: {},
          excludeCampaignId: scheduled.id,
        })
      ).count,
    ).toBe(0);
  });

  it('does not count another issue of the same newsletter', async () => {
    const sent = await createTestCampaign(db);
    await db.execute(
      sql`UPDATE campaigns SET status = 'sending', issue_key = 'adn/2026-10' WHERE id = ${sent.id}`,
    );
    expect((await overlap()).count).toBe(0);
  });
});
