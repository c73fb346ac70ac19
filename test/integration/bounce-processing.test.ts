import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildBounceServices, createBounceStore } from '../../src/app/build-bounces.ts';
import {
  type BounceService,
  type BounceStore,
  type BounceTransaction,
  createBounceService,
} from '../../src/bounces/index.ts';
import { type Config } from '../../src/config/index.ts';
import { createBounceRepository, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import {
  bounceFixture,
  bounceTestConfig,
  cleanBounceTables,
  seedDelivery,
} from '../helpers/bounce-fixtures.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

describe.each(databaseKinds)('bounce processing on $name', ({ open }) => {
  let database: TestDatabase;
  let config: Config;
  let built: ReturnType<typeof buildBounceServices>;
  let bounces: BounceService;

  const db = () => database.handle.db;
  const build = (overrides: Record<string, string> = {}) => {
    config = bounceTestConfig(overrides);
    built = buildBounceServices({
      config,
      db: db(),
      logger: createSilentLogger(),
      clock: fixedClock('2026-11-25T12:00:00Z'),
    });
    bounces = built.bounces;
  };
  const suppressionOf = async (email: string) =>
    (
      await queryRows<{ reason: string; detail: string | null }>(
        db(),
        sql`SELECT reason, detail FROM suppressions
            WHERE email_hash = encode(sha256(convert_to(lower(${email}), 'UTF8')), 'hex')`,
      )
    )[0];
  const statusesOf = async (email: string) =>
    Object.fromEntries(
      (
        await queryRows<{ newsletter_id: string; status: string }>(
          db(),
          sql`SELECT newsletter_id, status FROM subscriptions s JOIN subscribers r
              ON r.id = s.subscriber_id WHERE r.email = ${email}`,
        )
      ).map((row) => [row.newsletter_id, row.status]),
    );
  const consentKinds = async (email: string) =>
    (
      await queryRows<{ kind: string }>(
        db(),
        sql`SELECT kind FROM consent_events c JOIN subscribers r ON r.id = c.subscriber_id
            WHERE r.email = ${email} ORDER BY c.id`,
      )
    ).map((row) => row.kind);
  const eventCount = async () =>
    Number(
      (await queryRows<{ n: number }>(db(), sql`SELECT count(*)::int AS n FROM bounce_events`))[0]
        ?.n,
    );

  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanBounceTables(db());
    build();
  });

  it('suppresses a hard-bounced address found by its VERP token and records the bounce once', async () => {
    const sent = await seedDelivery(db(), 'marie.dupont@univ.example.org');
    const raw = await bounceFixture('postfix-dsn.eml', {
      returnPath: built.verp!.returnPathFor(sent.deliveryId),
    });
    const result = await bounces.process({ raw, source: 'file' });
    expect(result).toMatchObject({
      type: 'bounce',
      outcome: 'applied',
      deliveryId: sent.deliveryId,
      matchedBy: 'verp',
      effects: ['suppressed hard_bounce'],
    });
    expect(await suppressionOf('marie.dupont@univ.example.org')).toMatchObject({
      reason: 'hard_bounce',
    });
    const [row] = await queryRows<Record<string, unknown>>(
      db(),
      sql`SELECT bounce_type, bounce_class, bounce_status, bounce_diagnostic FROM deliveries
          WHERE id = ${sent.deliveryId}`,
    );
    expect(row).toMatchObject({
      bounce_type: 'bounce',
      bounce_class: 'hard',
      bounce_status: '5.1.1',
    });
    expect(String(row?.bounce_diagnostic)).toContain('User unknown');
    const [event] = await queryRows<Record<string, unknown>>(
      db(),
      sql`SELECT * FROM bounce_events`,
    );
    expect(event).toMatchObject({
      kind: 'bounce',
      class: 'hard',
      status_code: '5.1.1',
      source: 'file',
      matched_by: 'verp',
      recipient_domain: 'univ.example.org',
      raw_size: raw.length,
    });
    expect(Number(event?.delivery_id)).toBe(sent.deliveryId);
    expect(await consentKinds('marie.dupont@univ.example.org')).toEqual(['bounce']);

    // the same message again (a resent report, a second run over the same file)
    const again = await bounces.process({ raw, source: 'smtp' });
    expect(again.outcome).toBe('duplicate');
    expect(await eventCount()).toBe(1);
    expect(await consentKinds('marie.dupont@univ.example.org')).toEqual(['bounce']);
  });

  it.each([
    ['exim-text.eml', 'jean.martin@labo.example.org'],
    ['exchange-dsn.eml', 'pierre@contoso.example.org'],
    ['qmail-text.eml', 'anne@old.example.org'],
  ])('attributes %s by the returned Message-ID and suppresses %s', async (file, email) => {
    build({ BOUNCE_ADDRESS: '' });
    const sent = await seedDelivery(db(), email);
    const raw = await bounceFixture(file, { messageId: sent.messageId });
    const result = await bounces.process({ raw, source: 'file' });
    expect(result).toMatchObject({ outcome: 'applied', matchedBy: 'message-id' });
    expect(await suppressionOf(email)).toMatchObject({ reason: 'hard_bounce' });
  });

  it('suppresses after BOUNCE_SOFT_LIMIT soft bounces of different messages, not before', async () => {
    const email = 'sophie@inst.example.org';
    const outcomes: string[][] = [];
    for (let n = 0; n < 3; n++) {
      const sent = await seedDelivery(db(), email);
      const raw = await bounceFixture('sendmail-dsn.eml', {
        returnPath: built.verp!.returnPathFor(sent.deliveryId),
        messageId: sent.messageId,
      });
      outcomes.push((await bounces.process({ raw, source: 'smtp' })).effects);
      if (n < 2) expect(await suppressionOf(email)).toBeUndefined();
    }
    expect(outcomes).toEqual([[], [], ['suppressed soft_bounce']]);
    expect(await suppressionOf(email)).toMatchObject({ reason: 'soft_bounce' });
    expect((await suppressionOf(email))?.detail).toContain('3 soft bounces in 30 days');
  });

  it('counts soft bounces of the same message once', async () => {
    build({ BOUNCE_SOFT_LIMIT: '2' });
    const sent = await seedDelivery(db(), 'sophie@inst.example.org');
    const raw = await bounceFixture('sendmail-dsn.eml', {
      returnPath: built.verp!.returnPathFor(sent.deliveryId),
    });
    await bounces.process({ raw, source: 'smtp' });
    // a second report on the same delivery (a later delay warning): other bytes, same message
    await bounces.process({ raw: Buffer.concat([raw, Buffer.from('\r\n')]), source: 'smtp' });
    expect(await eventCount()).toBe(2);
    expect(await suppressionOf('sophie@inst.example.org')).toBeUndefined();
  });

  it('records a 5.7.x policy block per receiving domain without suppressing', async () => {
    const sent = await seedDelivery(db(), 'luc@gmail.example.org');
    const raw = await bounceFixture('gmail-dsn.eml', {
      returnPath: built.verp!.returnPathFor(sent.deliveryId),
    });
    const result = await bounces.process({ raw, source: 'smtp' });
    expect(result).toMatchObject({ outcome: 'applied', effects: [] });
    expect(await suppressionOf('luc@gmail.example.org')).toBeUndefined();
    const counts = await createBounceRepository(db()).countForCampaign(sent.campaignId);
    expect(counts).toMatchObject({
      policy: 1,
      hard: 0,
      bouncedDeliveries: 1,
      policyByDomain: [{ domain: 'gmail.example.org', count: 1 }],
    });
  });

  it('unsubscribes a complainant from every newsletter and suppresses the address', async () => {
    const email = 'claire@fbl-users.example.org';
    const sent = await seedDelivery(db(), email);
    const raw = await bounceFixture('arf-complaint.eml', {
      returnPath: built.verp!.returnPathFor(sent.deliveryId),
    });
    const result = await bounces.process({ raw, source: 'smtp' });
    expect(result).toMatchObject({ type: 'complaint', outcome: 'applied', matchedBy: 'verp' });
    expect(result.effects).toEqual([
      'unsubscribed adn',
      'unsubscribed fil',
      'suppressed complaint',
    ]);
    expect(await statusesOf(email)).toEqual({ adn: 'unsubscribed', fil: 'unsubscribed' });
    expect(await suppressionOf(email)).toMatchObject({ reason: 'complaint' });
    expect(await consentKinds(email)).toEqual(['unsubscribe', 'unsubscribe', 'complaint']);
    const counts = await createBounceRepository(db()).countForCampaign(sent.campaignId);
    expect(counts.complaints).toBe(1);
  });

  it('unsubscribes a mailto: sender from the newsletter of the message it answers', async () => {
    const email = 'marie@univ.example.org';
    const sent = await seedDelivery(db(), email, 'fil');
    const raw = await bounceFixture('mailto-unsubscribe.eml', { messageId: sent.messageId });
    const result = await bounces.process({ raw, source: 'smtp' });
    expect(result).toMatchObject({
      type: 'unsubscribe',
      outcome: 'applied',
      effects: ['unsubscribed fil'],
    });
    expect(await statusesOf(email)).toEqual({ adn: 'active', fil: 'unsubscribed' });
    expect(await suppressionOf(email)).toBeUndefined();
  });

  it('unsubscribes a mailto: sender from every newsletter when it cannot tell which', async () => {
    const email = 'marie@univ.example.org';
    await seedDelivery(db(), email);
    const raw = await bounceFixture('mailto-unsubscribe.eml');
    const result = await bounces.process({ raw, source: 'smtp' });
    expect(result.effects).toEqual(['unsubscribed adn', 'unsubscribed fil']);
  });

  it('ignores a bounce whose VERP token is forged, even with a known Message-ID', async () => {
    const sent = await seedDelivery(db(), 'marie.dupont@univ.example.org');
    // the fixture's own token, bounces+k1abc@…, was never signed by this key
    const raw = await bounceFixture('postfix-dsn.eml', { messageId: sent.messageId });
    const result = await bounces.process({ raw, source: 'smtp' });
    expect(result).toMatchObject({ outcome: 'forged', deliveryId: null, effects: [] });
    expect(await suppressionOf('marie.dupont@univ.example.org')).toBeUndefined();
    const [event] = await queryRows<Record<string, unknown>>(
      db(),
      sql`SELECT * FROM bounce_events`,
    );
    expect(event).toMatchObject({ matched_by: 'forged', delivery_id: null, class: 'hard' });
  });

  it('records a bounce naming no known delivery and acts on nobody', async () => {
    build({ BOUNCE_ADDRESS: '' });
    await seedDelivery(db(), 'marie.dupont@univ.example.org');
    const raw = await bounceFixture('postfix-dsn.eml');
    const result = await bounces.process({ raw, source: 'file' });
    expect(result).toMatchObject({ outcome: 'unattributed', matchedBy: 'none' });
    expect(await suppressionOf('marie.dupont@univ.example.org')).toBeUndefined();
    expect(await eventCount()).toBe(1);
  });

  it('keeps an unclassified message with an excerpt and ignores auto-replies', async () => {
    const kept = await bounces.process({
      raw: Buffer.from('From: someone@example.net\r\nSubject: hello\r\n\r\nJust a note.\r\n'),
      source: 'smtp',
    });
    expect(kept).toMatchObject({ type: 'unclassified', outcome: 'kept' });
    const ignored = await bounces.process({
      raw: await bounceFixture('auto-reply.eml'),
      source: 'smtp',
    });
    expect(ignored).toMatchObject({ type: 'auto-reply', outcome: 'ignored' });
    const rows = await queryRows<{
      kind: string;
      raw_excerpt: string | null;
      diagnostic: string | null;
    }>(db(), sql`SELECT kind, raw_excerpt, diagnostic FROM bounce_events ORDER BY id`);
    expect(rows.map((r) => r.kind)).toEqual(['unclassified', 'auto-reply']);
    expect(rows[0]?.raw_excerpt).toContain('Just a note.');
    expect(rows[0]?.diagnostic).toBe('no report, status code or unsubscribe found');
    const empty = await bounces.process({ raw: Buffer.alloc(0), source: 'file' });
    expect(empty).toMatchObject({ outcome: 'kept' });
  });

  describe('a crash between two statements, then the same message again', () => {
    const clock = fixedClock('2026-11-25T12:00:00Z');
    /** The real store, whose transaction throws right after `step` did its work. */
    const crashingAfter = (step: 'suppress' | 'unsubscribe' | 'markDeliveries'): BounceService => {
      const real = createBounceStore({ db: db(), clock, logger: createSilentLogger() });
      const store: BounceStore = {
        ...real,
        transaction: (work) =>
          real.transaction((tx) => {
            const crash = () => {
              throw new Error(`crash after ${step}`);
            };
            const faulty: BounceTransaction = {
              ...tx,
              markDeliveries: async (marks) => {
                await tx.markDeliveries(marks);
                if (step === 'markDeliveries') crash();
              },
              recipients: {
                suppress: async (items) => {
                  await tx.recipients.suppress(items);
                  if (step === 'suppress') crash();
                },
                unsubscribe: async (...args) => {
                  const left = await tx.recipients.unsubscribe(...args);
                  if (step === 'unsubscribe') crash();
                  return left;
                },
              },
            };
            return work(faulty);
          }),
      };
      return createBounceService({
        store,
        verp: built.verp,
        clock,
        logger: createSilentLogger(),
        options: { softLimit: 3, softWindowDays: 30 },
      });
    };
    const countsOf = async (email: string) =>
      (
        await queryRows<Record<string, number>>(
          db(),
          sql`SELECT
                (SELECT count(*)::int FROM bounce_events) AS events,
                (SELECT count(*)::int FROM suppressions
                  WHERE email_hash = encode(sha256(convert_to(lower(${email}), 'UTF8')), 'hex'))
                  AS suppressions,
                (SELECT count(*)::int FROM consent_events c JOIN subscribers r
                  ON r.id = c.subscriber_id WHERE r.email = ${email}) AS consent_events,
                (SELECT count(*)::int FROM deliveries WHERE bounce_type IS NOT NULL)
                  AS marked_deliveries`,
        )
      )[0];

    it.each(['suppress', 'markDeliveries'] as const)(
      'a hard bounce whose transaction fails after %s leaves nothing; processed again, it counts once',
      async (step) => {
        const email = 'marie.dupont@univ.example.org';
        const sent = await seedDelivery(db(), email);
        const raw = await bounceFixture('postfix-dsn.eml', {
          returnPath: built.verp!.returnPathFor(sent.deliveryId),
        });
        await expect(crashingAfter(step).process({ raw, source: 'smtp' })).rejects.toThrow(
          `crash after ${step}`,
        );
        expect(await countsOf(email)).toEqual({
          events: 0,
          suppressions: 0,
          consent_events: 0,
          marked_deliveries: 0,
        });
        expect((await bounces.process({ raw, source: 'smtp' })).outcome).toBe('applied');
        expect((await bounces.process({ raw, source: 'smtp' })).outcome).toBe('duplicate');
        expect(await countsOf(email)).toEqual({
          events: 1,
          suppressions: 1,
          consent_events: 1,
          marked_deliveries: 1,
        });
        expect(await consentKinds(email)).toEqual(['bounce']);
      },
    );

    it.each(['unsubscribe', 'suppress'] as const)(
      'a complaint whose transaction fails after %s leaves nothing; processed again, it counts once',
      async (step) => {
        const email = 'claire@fbl-users.example.org';
        const sent = await seedDelivery(db(), email);
        const raw = await bounceFixture('arf-complaint.eml', {
          returnPath: built.verp!.returnPathFor(sent.deliveryId),
        });
        await expect(crashingAfter(step).process({ raw, source: 'smtp' })).rejects.toThrow(
          `crash after ${step}`,
        );
        expect(await statusesOf(email)).toEqual({ adn: 'active', fil: 'active' });
        expect(await countsOf(email)).toMatchObject({ events: 0, consent_events: 0 });
        const results = await Promise.all([
          bounces.process({ raw, source: 'smtp' }),
          bounces.process({ raw, source: 'smtp' }),
        ]);
        expect(results.map((r) => r.outcome).sort()).toEqual(['applied', 'duplicate']);
        expect((await bounces.process({ raw, source: 'smtp' })).outcome).toBe('duplicate');
        expect(await statusesOf(email)).toEqual({ adn: 'unsubscribed', fil: 'unsubscribed' });
        expect(await countsOf(email)).toEqual({
          events: 1,
          suppressions: 1,
          consent_events: 3,
          marked_deliveries: 1,
        });
        expect(await consentKinds(email)).toEqual(['unsubscribe', 'unsubscribe', 'complaint']);
      },
    );

    it('many reports at once: each applied once, in set-based statements', async () => {
      const sent = await Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((name) => seedDelivery(db(), `${name}@lab.example.org`)),
      );
      const raws = await Promise.all(
        sent.map((s) =>
          bounceFixture('postfix-dsn.eml', { returnPath: built.verp!.returnPathFor(s.deliveryId) }),
        ),
      );
      const results = await Promise.all(
        [...raws, ...raws].map((raw) => bounces.process({ raw, source: 'smtp' })),
      );
      expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(5);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(5);
      const [row] = await queryRows<{ s: number; c: number; d: number }>(
        db(),
        sql`SELECT (SELECT count(*)::int FROM suppressions WHERE reason = 'hard_bounce') AS s,
                   (SELECT count(*)::int FROM consent_events WHERE kind = 'bounce') AS c,
                   (SELECT count(*)::int FROM deliveries WHERE bounce_class = 'hard') AS d`,
      );
      expect(row).toEqual({ s: 5, c: 5, d: 5 });
    });
  });
});
