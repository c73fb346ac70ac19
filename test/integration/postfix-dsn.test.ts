import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startInboundRuntime, verpFromConfig } from '../../src/app/build-bounces.ts';
import type { InboundSmtpServer } from '../../src/bounces/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { bounceTestConfig, cleanBounceTables, seedDelivery } from '../helpers/bounce-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/free-port.ts';
import {
  canRunPrivatePostfix,
  type PrivatePostfix,
  startPrivatePostfix,
} from '../helpers/private-postfix.ts';

const postfix = canRunPrivatePostfix();
if (!postfix.ok) console.warn(`postfix-dsn.test.ts skipped: ${postfix.reason}`);

describe.skipIf(!postfix.ok)(
  'genuine bounces: Postfix as the relay, its DSNs into depeche inbound',
  () => {
    const config = bounceTestConfig({ INBOUND_HOST: '127.0.0.1' });
    const verp = verpFromConfig(config)!;
    let database: TestDatabase;
    let inbound: InboundSmtpServer;
    let relay: PrivatePostfix;
    let relayPort: number;

    beforeAll(async () => {
      database = await openTestPostgres();
      await cleanBounceTables(database.handle.db);
      inbound = await startInboundRuntime({
        config,
        database: database.handle,
        logger: createSilentLogger(),
        clock: systemClock,
        port: 0,
      });
      relayPort = await freePort();
      relay = await startPrivatePostfix({
        port: relayPort,
        localDomain: 'lists.test',
        mailboxes: ['alice', 'bob'],
        bounceDomain: verp.domain,
        relayPort: inbound.port,
      });
    }, 60_000);
    afterAll(async () => {
      await relay?.stop();
      await inbound?.close();
      await database?.drop();
    });

    it('suppresses as hard bounces exactly the addresses Postfix could not deliver', async () => {
      const recipients = {
        known: ['alice@lists.test', 'bob@lists.test'],
        unknown: ['nobody@lists.test', 'left-the-lab@lists.test'],
      };
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: relayPort,
        secure: false,
        ignoreTLS: true,
      });
      try {
        for (const email of [...recipients.known, ...recipients.unknown]) {
          const sent = await seedDelivery(database.handle.db, email);
          const info = await transport.sendMail({
            envelope: { from: verp.returnPathFor(sent.deliveryId), to: [email] },
            from: 'AdN <adn@news.example.org>',
            to: email,
            subject: 'AdN — décembre 2026',
            messageId: `<${sent.messageId}>`,
            text: 'Bonjour,\n\nLa lettre du mois.\n',
          });
          expect(info.accepted).toEqual([email]);
        }
      } finally {
        transport.close();
      }

      // Postfix delivers, bounces the unknown users, and sends its DSNs to the VERP addresses.
      const suppressed = async () =>
        (
          await queryRows<{ email: string; reason: string }>(
            database.handle.db,
            sql`SELECT s.email, x.reason FROM suppressions x
              JOIN subscribers s ON s.email_hash = x.email_hash ORDER BY s.email`,
          )
        ).map((row) => `${row.email} ${row.reason}`);
      const deadline = Date.now() + 90_000;
      while ((await suppressed()).length < recipients.unknown.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(await suppressed(), await relay.log()).toEqual([
        'left-the-lab@lists.test hard_bounce',
        'nobody@lists.test hard_bounce',
      ]);
      const events = await queryRows<{ kind: string; matched_by: string; status_code: string }>(
        database.handle.db,
        sql`SELECT kind, matched_by, status_code FROM bounce_events ORDER BY id`,
      );
      expect(events).toHaveLength(2);
      for (const event of events) {
        expect(event).toMatchObject({ matched_by: 'verp' });
        expect(event.status_code).toMatch(/^5\.1\.1$/);
      }
      // The two delivered messages are in their mailboxes, and nothing about them came back.
      const delivered = await queryRows<{ email: string; bounce_type: string | null }>(
        database.handle.db,
        sql`SELECT s.email, d.bounce_type FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE s.email IN ('alice@lists.test', 'bob@lists.test') ORDER BY s.email`,
      );
      expect(delivered.map((row) => row.bounce_type)).toEqual([null, null]);
    }, 120_000);
  },
);
