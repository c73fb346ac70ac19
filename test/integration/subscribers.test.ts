import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import {
  hashEmail,
  SubscriberNotFoundError,
  type SubscriberService,
  SubscriberSuppressedError,
} from '../../src/subscribers/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { cleanSubscriberTables } from '../helpers/subscriber-tables.ts';

const web = { source: 'web', consentVersion: 'v1', ip: '203.0.113.7' };
const cli = { source: 'cli' };

describe.each(databaseKinds)('subscriber service on $name', ({ open }) => {
  let database: TestDatabase;
  let service: SubscriberService;
  beforeAll(async () => {
    database = await open();
    service = buildSubscriberService({
      db: database.handle.db,
      clock: fixedClock('2026-11-23T10:00:00Z'),
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanSubscriberTables(database.handle.db);
  });

  async function statusOf(email: string, newsletterId: string) {
    const found = await service.findByEmail(email);
    return found?.subscriptions.find((s) => s.newsletterId === newsletterId)?.status;
  }

  async function eventKinds(subscriberId: number) {
    const rows = await queryRows<{ kind: string }>(
      database.handle.db,
      sql`SELECT kind FROM consent_events WHERE subscriber_id = ${subscriberId} ORDER BY id`,
    );
    return rows.map((row) => row.kind);
  }

  it('normalises addresses and keeps them unique case-insensitively', async () => {
    const first = await service.add({ email: '  Jean.Dupont@CNRS.FR ', newsletterId: 'adn' }, cli);
    expect(first.subscriber.email).toBe('Jean.Dupont@cnrs.fr');
    const second = await service.add({ email: 'jean.dupont@cnrs.fr', newsletterId: 'adn' }, cli);
    expect(second.subscriber.id).toBe(first.subscriber.id);
    expect(second.outcome).toBe('unchanged');
    expect((await service.findByEmail('JEAN.DUPONT@cnrs.fr'))?.subscriber.id).toBe(
      first.subscriber.id,
    );
    await expect(
      service.add({ email: 'not-an-address', newsletterId: 'adn' }, cli),
    ).rejects.toThrow(/not a valid email address/);
    await expect(
      database.handle.db.execute(
        sql`INSERT INTO subscribers (email, email_hash) VALUES ('JEAN.DUPONT@cnrs.fr', 'x')`,
      ),
    ).rejects.toThrow();
  });

  it('moves a subscription pending → active → unsubscribed → pending → active, with events', async () => {
    const request = await service.subscribe(
      { email: 'marie@example.org', newsletterIds: ['adn'], profile: { locale: 'en' } },
      web,
    );
    expect(request.status).toBe('confirmation_needed');
    expect(request.pendingNewsletterIds).toEqual(['adn']);
    const id = request.subscriber!.id;
    expect(request.subscriber?.locale).toBe('en');
    expect(await statusOf('marie@example.org', 'adn')).toBe('pending');

    const confirmed = await service.confirm(id, 'adn', web);
    expect(confirmed.confirmedNewsletterIds).toEqual(['adn']);
    expect(await statusOf('marie@example.org', 'adn')).toBe('active');
    expect((await service.confirm(id, 'adn', web)).confirmedNewsletterIds).toEqual([]);

    expect((await service.unsubscribe(id, 'adn', web)).unsubscribedNewsletterIds).toEqual(['adn']);
    expect((await service.unsubscribe(id, 'adn', web)).unsubscribedNewsletterIds).toEqual([]);
    expect(await statusOf('marie@example.org', 'adn')).toBe('unsubscribed');

    // import and add do not lift an unsubscribe; a new confirmed opt-in does
    await expect(
      service.add({ email: 'marie@example.org', newsletterId: 'adn', isConfirmed: true }, cli),
    ).rejects.toBeInstanceOf(SubscriberSuppressedError);
    const again = await service.subscribe(
      { email: 'marie@example.org', newsletterIds: ['adn'] },
      web,
    );
    expect(again.pendingNewsletterIds).toEqual(['adn']);
    expect(await statusOf('marie@example.org', 'adn')).toBe('pending');
    await service.confirm(id, undefined, web);
    expect(await statusOf('marie@example.org', 'adn')).toBe('active');
    expect(await eventKinds(id)).toEqual([
      'subscribe',
      'confirm',
      'unsubscribe',
      'subscribe',
      'confirm',
    ]);
    const events = await queryRows<{ consent_version: string; ip: string; source: string }>(
      database.handle.db,
      sql`SELECT consent_version, ip, source FROM consent_events WHERE kind = 'confirm' LIMIT 1`,
    );
    expect(events[0]).toEqual({ consent_version: 'v1', ip: '203.0.113.7', source: 'web' });
  });

  it('answers a subscription request for an active subscriber without changing the profile', async () => {
    await service.add(
      { email: 'a@example.org', newsletterId: 'adn', isConfirmed: true, profile: { name: 'Ana' } },
      cli,
    );
    const result = await service.subscribe(
      { email: 'a@example.org', newsletterIds: ['adn'], profile: { name: 'Intruder' } },
      web,
    );
    expect(result.status).toBe('already_active');
    expect((await service.findByEmail('a@example.org'))?.subscriber.name).toBe('Ana');
  });

  it('updates preferences: profile, newsletters on and off', async () => {
    const added = await service.add(
      { email: 'p@example.org', newsletterId: 'adn', isConfirmed: true },
      cli,
    );
    const id = added.subscriber.id;
    const updated = await service.updatePreferences(
      id,
      {
        profile: { name: 'Paul', country: 'MX', careerStage: 'postdoc' },
        newsletters: { adn: false, 'fil-de-marianne': true },
      },
      web,
    );
    expect(updated.subscriber).toMatchObject({
      name: 'Paul',
      country: 'MX',
      careerStage: 'postdoc',
    });
    expect(
      Object.fromEntries(updated.subscriptions.map((s) => [s.newsletterId, s.status])),
    ).toEqual({
      adn: 'unsubscribed',
      'fil-de-marianne': 'active',
    });
    expect(await eventKinds(id)).toEqual([
      'subscribe',
      'preferences',
      'unsubscribe',
      'preferences',
    ]);
  });

  it('unsubscribes from all newsletters, and quietly for an unknown subscriber', async () => {
    const added = await service.add(
      { email: 'u@example.org', newsletterId: 'adn', isConfirmed: true },
      cli,
    );
    await service.add({ email: 'u@example.org', newsletterId: 'fil-de-marianne' }, cli);
    const result = await service.unsubscribe(added.subscriber.id, 'all', web);
    expect(result.unsubscribedNewsletterIds.sort()).toEqual(['adn', 'fil-de-marianne']);
    expect(await service.unsubscribe(999_999, 'all', web)).toEqual({
      unsubscribedNewsletterIds: [],
    });
    const removed = await service.add({ email: 'r@example.org', newsletterId: 'adn' }, cli);
    expect((await service.remove('R@example.org', 'adn', cli)).unsubscribedNewsletterIds).toEqual([
      'adn',
    ]);
    expect(await statusOf('r@example.org', 'adn')).toBe('unsubscribed');
    expect(removed.subscriber.id).toBeGreaterThan(0);
    await expect(service.remove('nobody@example.org', undefined, cli)).rejects.toThrow(
      /No subscriber/,
    );
  });

  it('never activates a hard-bounced address, except by an operator with force', async () => {
    await service.add({ email: 'b@example.org', newsletterId: 'adn', isConfirmed: true }, cli);
    await service.suppress('B@example.org', 'hard_bounce', '550 5.1.1 user unknown');
    expect(await service.isSuppressed('b@EXAMPLE.org')).toBe(true);
    const request = await service.subscribe(
      { email: 'b@example.org', newsletterIds: ['fil-de-marianne'] },
      web,
    );
    expect(request).toEqual({ status: 'suppressed', subscriber: null, pendingNewsletterIds: [] });
    await expect(
      service.add(
        { email: 'b@example.org', newsletterId: 'fil-de-marianne', isConfirmed: true },
        cli,
      ),
    ).rejects.toThrow(/suppressed \(hard_bounce: 550 5.1.1 user unknown\).*--force/);
    const forced = await service.add(
      {
        email: 'b@example.org',
        newsletterId: 'fil-de-marianne',
        isConfirmed: true,
        isForced: true,
      },
      cli,
    );
    expect(forced.liftedSuppression).toBe('hard_bounce');
    expect(await service.isSuppressed('b@example.org')).toBe(false);
    expect(await statusOf('b@example.org', 'fil-de-marianne')).toBe('active');
    expect(await eventKinds(forced.subscriber.id)).toEqual([
      'subscribe',
      'bounce',
      'manual',
      'subscribe',
    ]);
  });

  it('keeps a complaint over a later bounce and counts suppressions', async () => {
    await service.suppress('c@example.org', 'complaint', null);
    await service.suppress('c@example.org', 'hard_bounce', '550');
    expect((await service.exportData('c@example.org')).suppression?.reason).toBe('complaint');
    expect((await service.stats()).suppressions).toEqual({ complaint: 1 });
  });

  it('exports all data held about an address', async () => {
    const added = await service.add(
      { email: 'e@example.org', newsletterId: 'adn', profile: { name: 'Élise', country: 'US' } },
      cli,
    );
    await service.confirm(added.subscriber.id, 'adn', web);
    const exported = await service.exportData('E@example.org');
    expect(exported.subscriber).toMatchObject({
      email: 'e@example.org',
      name: 'Élise',
      country: 'US',
    });
    expect(exported.subscriptions).toMatchObject([{ newsletterId: 'adn', status: 'active' }]);
    expect(exported.consentEvents.map((e) => e.kind)).toEqual(['subscribe', 'confirm']);
    expect(exported.deliveries).toEqual([]);
    expect(exported.suppression).toBeNull();
    expect(JSON.parse(JSON.stringify(exported)).subscriber.name).toBe('Élise');
    const unknown = await service.exportData('nobody@example.org');
    expect(unknown).toMatchObject({ subscriber: null, subscriptions: [], consentEvents: [] });
    await expect(service.exportData(999_999)).rejects.toBeInstanceOf(SubscriberNotFoundError);
  });

  it('erases personal data everywhere, keeping only the hash in suppressions', async () => {
    const added = await service.add(
      {
        email: 'Zoe.Erase@Example.org',
        newsletterId: 'adn',
        isConfirmed: true,
        profile: { name: 'Zoé Effacée', attributes: { lab: 'LabZoe' } },
      },
      cli,
    );
    const id = added.subscriber.id;
    await service.confirm(id, undefined, web);
    await service.updatePreferences(id, { profile: { researchField: 'Glaciologie' } }, web);
    const [campaign] = await queryRows<{ id: string }>(
      database.handle.db,
      sql`INSERT INTO campaigns (newsletter_id, issue_key, content_hash) VALUES ('adn', 'adn/2026-11', 'h') RETURNING id`,
    );
    await database.handle.db.execute(
      sql`INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, smtp_response)
          VALUES (${campaign!.id}, ${id}, 0, 'failed', '550 5.1.1 <Zoe.Erase@example.org> unknown')`,
    );

    const result = await service.erase('zoe.erase@example.org', cli);
    expect(result).toMatchObject({
      wasSubscriber: true,
      deliveriesAnonymised: 1,
      subscriptionsDeleted: 1,
    });

    // every column of every table, as text, must be free of the address, the name and the id
    const tables = await queryRows<{ table_name: string }>(
      database.handle.db,
      sql`SELECT table_name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(8);
    for (const { table_name: table } of tables) {
      const rows = await queryRows<{ row: string }>(
        database.handle.db,
        sql`SELECT t::text AS row FROM ${sql.identifier(table)} t`,
      );
      for (const { row } of rows) {
        expect(row.toLowerCase(), table).not.toContain('zoe.erase');
        expect(row, table).not.toContain('Zoé');
        expect(row, table).not.toContain('LabZoe');
        expect(row, table).not.toContain('Glaciologie');
        expect(row, table).not.toContain('203.0.113.7');
      }
    }
    const idColumns = await queryRows<{ table_name: string }>(
      database.handle.db,
      sql`SELECT table_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND column_name = 'subscriber_id'`,
    );
    for (const { table_name: table } of idColumns) {
      const rows = await queryRows<{ n: number }>(
        database.handle.db,
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE subscriber_id = ${id}`,
      );
      expect(rows[0]?.n, table).toBe(0);
    }
    const kept = await queryRows<{ email_hash: string; reason: string }>(
      database.handle.db,
      sql`SELECT email_hash, reason FROM suppressions`,
    );
    expect(kept).toEqual([{ email_hash: hashEmail('zoe.erase@example.org'), reason: 'erased' }]);
    const deliveries = await queryRows<{ subscriber_id: string | null }>(
      database.handle.db,
      sql`SELECT subscriber_id FROM deliveries`,
    );
    expect(deliveries).toEqual([{ subscriber_id: null }]);

    // not re-added by an operator without force; a new confirmed opt-in of the person works
    await expect(
      service.add({ email: 'zoe.erase@example.org', newsletterId: 'adn' }, cli),
    ).rejects.toThrow(/erased/);
    const back = await service.subscribe(
      { email: 'zoe.erase@example.org', newsletterIds: ['adn'] },
      web,
    );
    await service.confirm(back.subscriber!.id, 'adn', web);
    expect(await service.isSuppressed('zoe.erase@example.org')).toBe(false);
  });
});
