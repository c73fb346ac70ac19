import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startInboundRuntime, verpFromConfig } from '../../src/app/build-bounces.ts';
import type { InboundSmtpServer } from '../../src/bounces/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock, systemClock } from '../../src/lib/index.ts';
import {
  bounceFixture,
  bounceTestConfig,
  cleanBounceTables,
  seedDelivery,
} from '../helpers/bounce-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';

describe('depeche inbound: the SMTP server of bounces (PostgreSQL, nodemailer)', () => {
  let database: TestDatabase;
  let server: InboundSmtpServer;
  const config = bounceTestConfig({ INBOUND_HOST: '127.0.0.1' });
  const verp = verpFromConfig(config)!;

  beforeAll(async () => {
    database = await openTestPostgres();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanBounceTables(database.handle.db);
    server = await startInboundRuntime({
      config,
      database: database.handle,
      logger: createSilentLogger(),
      clock: systemClock,
      port: 0,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const send = async (to: string, raw: Buffer) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      return await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    } finally {
      transport.close();
    }
  };
  const suppressed = async () =>
    (
      await queryRows<{ email: string; reason: string }>(
        database.handle.db,
        sql`SELECT s.email, x.reason FROM suppressions x
            JOIN subscribers s ON s.email_hash = x.email_hash ORDER BY s.email`,
      )
    ).map((row) => `${row.email} ${row.reason}`);

  it('suppresses exactly the addresses whose DSNs come back to their VERP address', async () => {
    const hard = [
      ['postfix-dsn.eml', 'marie.dupont@univ.example.org'],
      ['exim-text.eml', 'jean.martin@labo.example.org'],
      ['exchange-dsn.eml', 'pierre@contoso.example.org'],
      ['qmail-text.eml', 'anne@old.example.org'],
    ] as const;
    for (const [file, email] of hard) {
      const sent = await seedDelivery(database.handle.db, email);
      const returnPath = verp.returnPathFor(sent.deliveryId);
      const reply = await send(returnPath, await bounceFixture(file, { returnPath }));
      expect(reply.accepted).toEqual([returnPath]);
    }
    // a policy block and a first soft bounce suppress nobody; these two stay untouched
    for (const [file, email] of [
      ['gmail-dsn.eml', 'luc@gmail.example.org'],
      ['sendmail-dsn.eml', 'sophie@inst.example.org'],
    ] as const) {
      const sent = await seedDelivery(database.handle.db, email);
      const returnPath = verp.returnPathFor(sent.deliveryId);
      await send(returnPath, await bounceFixture(file, { returnPath }));
    }
    expect(await suppressed()).toEqual([
      'anne@old.example.org hard_bounce',
      'jean.martin@labo.example.org hard_bounce',
      'marie.dupont@univ.example.org hard_bounce',
      'pierre@contoso.example.org hard_bounce',
    ]);
    const events = await queryRows<{ source: string; matched_by: string }>(
      database.handle.db,
      sql`SELECT DISTINCT source, matched_by FROM bounce_events`,
    );
    expect(events).toEqual([{ source: 'smtp', matched_by: 'verp' }]);
  });

  const countsOf = async () =>
    (
      await queryRows<Record<string, number>>(
        database.handle.db,
        sql`SELECT (SELECT count(*)::int FROM bounce_events) AS events,
                   (SELECT count(*)::int FROM suppressions) AS suppressions,
                   (SELECT count(*)::int FROM consent_events) AS consent_events,
                   (SELECT count(*)::int FROM deliveries WHERE bounce_type IS NOT NULL) AS marked`,
      )
    )[0];

  it('answers 250 to the same DSN sent again, also at once, and applies it once', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    const returnPath = verp.returnPathFor(sent.deliveryId);
    const raw = await bounceFixture('postfix-dsn.eml', { returnPath });
    const replies = await Promise.all([1, 2, 3].map(() => send(returnPath, raw)));
    replies.push(await send(returnPath, raw));
    expect(replies.map((r) => r.accepted)).toEqual(Array(4).fill([returnPath]));
    expect(await countsOf()).toEqual({ events: 1, suppressions: 1, consent_events: 1, marked: 1 });
  });

  it('answers 451 when the transaction fails half-way, keeps none of it, and applies the retry once', async () => {
    const db = database.handle.db;
    const sent = await seedDelivery(db, 'marie.dupont@univ.example.org');
    const returnPath = verp.returnPathFor(sent.deliveryId);
    const raw = await bounceFixture('postfix-dsn.eml', { returnPath });
    // the delivery mark, the transaction's last write, fails: the event and suppression came first
    await db.execute(
      sql`ALTER TABLE deliveries ADD CONSTRAINT test_no_bounce CHECK (bounce_type IS NULL) NOT VALID`,
    );
    try {
      await expect(send(returnPath, raw)).rejects.toMatchObject({ responseCode: 451 });
      expect(await countsOf()).toEqual({
        events: 0,
        suppressions: 0,
        consent_events: 0,
        marked: 0,
      });
    } finally {
      await db.execute(sql`ALTER TABLE deliveries DROP CONSTRAINT test_no_bounce`);
    }
    expect((await send(returnPath, raw)).accepted).toEqual([returnPath]);
    expect((await send(returnPath, raw)).accepted).toEqual([returnPath]);
    expect(await countsOf()).toEqual({ events: 1, suppressions: 1, consent_events: 1, marked: 1 });
  });

  it('attributes by the signed envelope recipient, whatever the report headers say', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    // the report's own headers carry an unsigned placeholder token; RCPT TO, tried first, is signed
    await send(verp.returnPathFor(sent.deliveryId), await bounceFixture('postfix-dsn.eml'));
    expect(await suppressed()).toEqual(['marie.dupont@univ.example.org hard_bounce']);
  });

  it('receives a mailto: unsubscribe and unsubscribes its sender', async () => {
    const sent = await seedDelivery(database.handle.db, 'marie@univ.example.org');
    await send(
      'unsubscribe@news.example.org',
      await bounceFixture('mailto-unsubscribe.eml', { messageId: sent.messageId }),
    );
    const [row] = await queryRows<{ status: string }>(
      database.handle.db,
      sql`SELECT status FROM subscriptions WHERE newsletter_id = 'adn'`,
    );
    expect(row?.status).toBe('unsubscribed');
  });

  it('accepts a forged token at RCPT but acts on nobody', async () => {
    await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    await send('bounces+1-000000000000@news.example.org', await bounceFixture('postfix-dsn.eml'));
    expect(await suppressed()).toEqual([]);
    const [event] = await queryRows<{ matched_by: string }>(
      database.handle.db,
      sql`SELECT matched_by FROM bounce_events`,
    );
    expect(event?.matched_by).toBe('forged');
  });

  it('refuses recipients of other domains and addresses (never a relay)', async () => {
    const raw = await bounceFixture('postfix-dsn.eml');
    await expect(send('someone@elsewhere.example.net', raw)).rejects.toMatchObject({
      responseCode: 550,
    });
    await expect(send('postmaster@news.example.org', raw)).rejects.toMatchObject({
      responseCode: 550,
    });
    const [count] = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM bounce_events`,
    );
    expect(count?.n).toBe(0);
  });

  it('answers 421 to a client past INBOUND_RATE_PER_MINUTE', async () => {
    await server.close();
    server = await startInboundRuntime({
      config: bounceTestConfig({ INBOUND_RATE_PER_MINUTE: '2' }),
      database: database.handle,
      logger: createSilentLogger(),
      clock: fixedClock('2026-11-25T12:00:00Z'),
      port: 0,
    });
    const raw = await bounceFixture('auto-reply.eml');
    await send('bounces@news.example.org', raw);
    await send('bounces@news.example.org', raw);
    await expect(send('bounces@news.example.org', raw)).rejects.toMatchObject({
      responseCode: 421,
    });
  });

  it('refuses a message over the size limit', async () => {
    const huge = Buffer.concat([
      Buffer.from('From: a@example.net\r\nSubject: big\r\n\r\n'),
      Buffer.alloc(11 * 1024 * 1024, 'a'),
    ]);
    await expect(send('bounces@news.example.org', huge)).rejects.toMatchObject({
      responseCode: 552,
    });
  });
});
