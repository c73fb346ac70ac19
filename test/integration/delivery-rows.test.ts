import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { DeliveryStatus } from '../../src/campaigns/index.ts';
import { createDeliveryRepository, type Database, queryRows } from '../../src/db/index.ts';
import { createProgressWriter } from '../../src/sending/index.ts';
import {
  createTestCampaign,
  seedAudience,
  truncateDeliveryTables,
} from '../helpers/campaign-fixtures.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

const deliveries = createDeliveryRepository();

/** Delivery rows of the sending workers: claims and outcomes, on both databases. */
describe.each(databaseKinds)('delivery rows on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;
  let campaignId: number;

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await truncateDeliveryTables(db);
    await seedAudience(db, 6);
    campaignId = (await createTestCampaign(db)).id;
    await db.execute(sql`UPDATE campaigns SET status = 'sending' WHERE id = ${campaignId}`);
    await db.execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status)
      SELECT ${campaignId}, id, 0, 'queued' FROM subscribers`);
  });

  const ids = async () =>
    (
      await queryRows<{ id: string }>(
        db,
        sql`SELECT id FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
      )
    ).map((row) => Number(row.id));
  const statuses = async () =>
    (
      await queryRows<{ status: DeliveryStatus }>(
        db,
        sql`SELECT status FROM deliveries WHERE campaign_id = ${campaignId} ORDER BY id`,
      )
    ).map((row) => row.status);
  const claim = (deliveryId: number) => ({ deliveryId, campaignId });

  it('loads the queued rows of a batch and skips the recipients who left', async () => {
    await db.execute(sql`
      UPDATE subscriptions SET status = 'unsubscribed'
      WHERE subscriber_id = (SELECT min(id) FROM subscribers)`);
    const batch = await deliveries.loadBatch(db, { campaignId, batchNo: 0, newsletterId: 'adn' });
    expect(batch.skippedCount).toBe(1);
    expect(batch.recipients).toHaveLength(5);
    // loading claims nothing
    expect(await statuses()).toEqual(['skipped', 'queued', 'queued', 'queued', 'queued', 'queued']);
  });

  it('claims queued rows once, writes outcomes with the counts, in one statement', async () => {
    const [a, b, c] = await ids();
    const first = await deliveries.writeProgress(db, {
      outcomes: [],
      claims: [claim(a!), claim(b!)],
    });
    expect([...first.claimed].sort()).toEqual([a, b].sort());
    expect(first.campaigns.get(campaignId)).toMatchObject({ status: 'sending', sentCount: 0 });
    // a second claim of a held row gets nothing; the outcomes and the next claim go together
    const second = await deliveries.writeProgress(db, {
      outcomes: [
        { deliveryId: a!, status: 'sent', smtpResponse: '250 ok', messageId: '<a@x>' },
        { deliveryId: b!, status: 'failed', smtpResponse: '550 5.1.1 no', messageId: null },
      ],
      claims: [claim(a!), claim(c!)],
    });
    expect([...second.claimed]).toEqual([c]);
    expect(second.campaigns.get(campaignId)).toEqual({
      status: 'sending',
      sentCount: 1,
      failedCount: 1,
    });
    expect((await statuses()).slice(0, 3)).toEqual(['sent', 'failed', 'sending']);
    // an outcome for a row no longer sending changes nothing
    const again = await deliveries.writeProgress(db, {
      outcomes: [{ deliveryId: a!, status: 'failed', smtpResponse: 'x', messageId: null }],
      claims: [],
    });
    expect(again.campaigns.size).toBe(0);
    expect((await statuses())[0]).toBe('sent');
  });

  it('claims nothing for a campaign that is no longer sending', async () => {
    const [a] = await ids();
    await db.execute(sql`UPDATE campaigns SET status = 'paused' WHERE id = ${campaignId}`);
    const written = await deliveries.writeProgress(db, { outcomes: [], claims: [claim(a!)] });
    expect(written.claimed.size).toBe(0);
    expect(written.campaigns.get(campaignId)?.status).toBe('paused');
    expect((await statuses())[0]).toBe('queued');
  });

  it('after a crash, turns the rows left sending into uncertain, and a late outcome wins', async () => {
    const [a, b] = await ids();
    await deliveries.writeProgress(db, { outcomes: [], claims: [claim(a!), claim(b!)] });
    expect(await deliveries.markAbandonedUncertain(db, campaignId, 0)).toBe(2);
    await deliveries.writeProgress(db, {
      outcomes: [{ deliveryId: a!, status: 'sent', smtpResponse: '250 ok', messageId: '<a@x>' }],
      claims: [],
    });
    expect((await statuses()).slice(0, 2)).toEqual(['sent', 'uncertain']);
  });

  it('gives each row to one of two writers claiming the same rows at once', async () => {
    const all = await ids();
    const writers = [
      createProgressWriter({ db, deliveries }),
      createProgressWriter({ db, deliveries }),
    ];
    const results = await Promise.all(
      writers.flatMap((writer) => all.map((id) => writer.claim(campaignId, id))),
    );
    expect(results.filter((result) => result.isClaimed)).toHaveLength(all.length);
    expect(await statuses()).toEqual(all.map(() => 'sending'));
  });
});
