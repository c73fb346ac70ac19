import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { hashEmail, type SubscriberService } from '../../src/subscribers/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { cleanSubscriberTables } from '../helpers/subscriber-tables.ts';

const now = '2026-12-03T10:00:00Z';
const cli = { source: 'cli' };
const policy = { pendingDays: 30, unsubscribedDays: 365 };

describe.each(databaseKinds)('retention on $name', ({ open }) => {
  let database: TestDatabase;
  let service: SubscriberService;

  beforeAll(async () => {
    database = await open();
    service = buildSubscriberService({
      db: database.handle.db,
      clock: fixedClock(now),
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanSubscriberTables(database.handle.db);
  });

  /** Moves a subscription's timestamps `days` before the test's now. */
  async function age(email: string, newsletterId: string, days: number) {
    const at = new Date(Date.parse(now) - days * 86_400_000).toISOString();
    await database.handle.db.execute(
      sql`UPDATE subscriptions SET created_at = ${at}::timestamptz, updated_at = ${at}::timestamptz,
            unsubscribed_at = CASE WHEN status = 'unsubscribed' THEN ${at}::timestamptz END
          FROM subscribers s
          WHERE s.id = subscriptions.subscriber_id AND s.email = ${email}
            AND subscriptions.newsletter_id = ${newsletterId}`,
    );
  }

  async function suppressionOf(email: string) {
    const rows = await queryRows<{ reason: string }>(
      database.handle.db,
      sql`SELECT reason FROM suppressions WHERE email_hash = ${hashEmail(email)}`,
    );
    return rows[0]?.reason ?? null;
  }

  async function retentionEvents() {
    const rows = await queryRows<{ kind: string; ip: string | null; newsletter_id: string | null }>(
      database.handle.db,
      sql`SELECT kind, ip, newsletter_id FROM consent_events WHERE source = 'retention' ORDER BY id`,
    );
    return rows;
  }

  it('deletes requests never confirmed in time, and the subscriber left with nothing', async () => {
    await service.add({ email: 'old-pending@example.org', newsletterId: 'adn' }, cli);
    await service.add({ email: 'young-pending@example.org', newsletterId: 'adn' }, cli);
    await service.add({ email: 'mixed@example.org', newsletterId: 'adn', isConfirmed: true }, cli);
    await service.add({ email: 'mixed@example.org', newsletterId: 'fil-de-marianne' }, cli);
    await age('old-pending@example.org', 'adn', 31);
    await age('young-pending@example.org', 'adn', 29);
    await age('mixed@example.org', 'adn', 400);
    await age('mixed@example.org', 'fil-de-marianne', 45);

    const dryRun = await service.applyRetention(policy, { isDryRun: true });
    expect(dryRun).toMatchObject({ pendingDeleted: 2, unsubscribedErased: 0, isDryRun: true });
    expect(await service.findByEmail('old-pending@example.org')).not.toBeNull();

    const result = await service.applyRetention(policy);
    expect(result).toEqual({
      pendingDeleted: 2,
      unconfirmedSubscribersDeleted: 1,
      unsubscribedErased: 0,
      isDryRun: false,
    });
    expect(await service.findByEmail('old-pending@example.org')).toBeNull();
    // Never confirmed: no suppression, they may ask again.
    expect(await suppressionOf('old-pending@example.org')).toBeNull();
    expect((await service.findByEmail('young-pending@example.org'))?.subscriptions).toHaveLength(1);
    const mixed = await service.findByEmail('mixed@example.org');
    expect(mixed?.subscriptions.map((s) => [s.newsletterId, s.status])).toEqual([
      ['adn', 'active'],
    ]);
    const events = await retentionEvents();
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.kind === 'erase' && event.ip === null)).toBe(true);

    // A second run finds nothing more.
    expect(await service.applyRetention(policy)).toMatchObject({
      pendingDeleted: 0,
      unsubscribedErased: 0,
    });
  });

  it('erases people unsubscribed from everything past the period, keeping only the hash', async () => {
    for (const email of ['gone@example.org', 'recent@example.org', 'half@example.org']) {
      await service.add({ email, newsletterId: 'adn', isConfirmed: true }, cli);
      await service.remove(email, 'adn', cli);
    }
    await service.add(
      { email: 'half@example.org', newsletterId: 'fil-de-marianne', isConfirmed: true },
      cli,
    );
    await age('gone@example.org', 'adn', 366);
    await age('recent@example.org', 'adn', 100);
    await age('half@example.org', 'adn', 800);

    const result = await service.applyRetention(policy);
    expect(result.unsubscribedErased).toBe(1);
    expect(await service.findByEmail('gone@example.org')).toBeNull();
    expect(await suppressionOf('gone@example.org')).toBe('erased');
    const leftover = await queryRows<{ n: string | number }>(
      database.handle.db,
      sql`SELECT count(*) AS n FROM consent_events WHERE ip IS NOT NULL AND subscriber_id IS NULL`,
    );
    expect(Number(leftover[0]?.n)).toBe(0);
    // Still subscribed to one newsletter, or unsubscribed recently: kept.
    expect(await service.findByEmail('recent@example.org')).not.toBeNull();
    expect(await service.findByEmail('half@example.org')).not.toBeNull();
  });

  it('refuses a policy that is not whole positive days', async () => {
    await expect(service.applyRetention({ pendingDays: 0, unsubscribedDays: 365 })).rejects.toThrow(
      /pendingDays/,
    );
    await expect(
      service.applyRetention({ pendingDays: 30, unsubscribedDays: 1.5 }),
    ).rejects.toThrow(/unsubscribedDays/);
  });
});
