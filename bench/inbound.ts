/**
 * Inbound processing benchmark: `npx tsx bench/inbound.ts` prints JSON.
 *
 * DSNs per second through SMTP into PostgreSQL: `depeche inbound`'s server runs in this process
 * on a fresh schema of TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test,
 * dropped after), N sent deliveries are seeded, and one RFC 3464 report per delivery (hard
 * bounce, 5.1.1, addressed to its VERP Return-Path) is sent over pooled SMTP connections. Each
 * one is parsed, attributed, recorded and acted on (the address suppressed) before its 250, so
 * the time until the last reply is the processing time. Target: at least 500 DSNs/s on 2 cores.
 *
 * Options: `--dsns N` (default 3000), `--connections N` (default 4).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import pg from 'pg';

import { startInboundRuntime, verpFromConfig } from '../src/build-bounces.ts';
import { loadConfig } from '../src/config/index.ts';
import { createCampaignRepository, migrate, openDatabase, queryRows } from '../src/db/index.ts';
import { contentHashOf } from '../src/delivery/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';

const { values } = parseArgs({
  options: {
    dsns: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '4' },
  },
});
const count = Number(values.dsns);
const connections = Number(values.connections);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const config = loadConfig({
  DEPECHE_ENV: 'test',
  SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijkl',
  BOUNCE_ADDRESS: 'bounces@news.example.org',
  LOG_LEVEL: 'silent',
});
const verp = verpFromConfig(config)!;

/** A Postfix-style RFC 3464 report of a hard bounce of `email`, sent to `returnPath`. */
function dsn(email: string, returnPath: string, messageId: string, n: number): string {
  const boundary = `B${n}.1764065521/mx.example.org`;
  return [
    'Date: Wed, 25 Nov 2026 10:12:01 +0000',
    'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    `To: ${returnPath}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    `Message-Id: <bench.${n}@mx.example.org>`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `<${email}>: host mail.example.org[192.0.2.10] said: 550 5.1.1 User unknown`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${email}`,
    'Action: failed',
    'Status: 5.1.1',
    `Diagnostic-Code: smtp; 550 5.1.1 <${email}>: User unknown`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <${returnPath}>`,
    'From: AdN <adn@news.example.org>',
    `To: ${email}`,
    `Message-ID: <${messageId}>`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const database = await openDatabase({ kind: 'postgres', url: databaseUrl, schema, poolSize: 10 });
try {
  await migrate(database);
  const db = database.db;
  // N subscribers, active on adn, each with one sent delivery of one campaign.
  await db.execute(
    sql`INSERT INTO subscribers (email, email_hash)
        SELECT 'reader.' || i || '@lab-' || (i % 50) || '.example.org',
               encode(sha256(convert_to('reader.' || i || '@lab-' || (i % 50) || '.example.org', 'UTF8')), 'hex')
        FROM generate_series(1, ${count}) AS i`,
  );
  await db.execute(
    sql`INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
        SELECT id, 'adn', 'active', now() FROM subscribers`,
  );
  const bodies = [
    {
      locale: 'fr' as const,
      subject: 'AdN novembre 2026',
      preheader: '',
      html: '<p>%%greeting%%</p>',
      text: '%%greeting%%',
    },
  ];
  const campaign = await createCampaignRepository().create(db, {
    newsletterId: 'adn',
    issueKey: 'adn/2026-11',
    segment: {},
    newsletter: {
      id: 'adn',
      title: 'AdN',
      sender: { name: 'AdN', email: 'adn@news.example.org' },
      reply_to: { email: 'contact@news.example.org' },
    },
    bodies,
    contentHash: contentHashOf(bodies),
  });
  const rows = await queryRows<{ id: string; email: string; subscriber_id: string }>(
    db,
    sql`INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, message_id, sent_at)
        SELECT ${campaign.id}, s.id, 0, 'sent', ${campaign.messageKey} || '.s' || s.id || '@news.example.org', now()
        FROM subscribers s
        RETURNING id, subscriber_id, (SELECT email FROM subscribers WHERE id = subscriber_id) AS email`,
  );
  const messages = rows.map((row, n) => {
    const returnPath = verp.returnPathFor(Number(row.id));
    const messageId = `${campaign.messageKey}.s${row.subscriber_id}@news.example.org`;
    return { returnPath, raw: dsn(row.email, returnPath, messageId, n) };
  });

  const server = await startInboundRuntime({
    config,
    database,
    logger: createSilentLogger(),
    clock: systemClock,
    port: 0,
  });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: connections * 2 }, async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        await transport
          .sendMail({ envelope: { from: '', to: [message.returnPath] }, raw: message.raw })
          .catch(() => (failed += 1));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  transport.close();
  await server.close();

  const [suppressed] = await queryRows<{ n: string }>(
    db,
    sql`SELECT count(*) AS n FROM suppressions WHERE reason = 'hard_bounce'`,
  );
  console.log(
    JSON.stringify(
      {
        benchmark: 'inbound',
        dsns: count,
        connections,
        seconds: Number(seconds.toFixed(2)),
        dsnsPerSecond: Math.round(count / seconds),
        perDsnMs: Number(((seconds * 1000) / count).toFixed(2)),
        nodeCpuSecondsPerThousand: Number(
          (((cpu.user + cpu.system) / 1e6 / count) * 1000).toFixed(2),
        ),
        failed,
        suppressed: Number(suppressed?.n ?? 0),
        target: { dsnsPerSecond: 500 },
        peakRssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      },
      null,
      2,
    ),
  );
} finally {
  await database.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
