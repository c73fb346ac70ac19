/**
 * Inbound processing benchmark: `npx tsx bench/inbound.ts` prints JSON.
 *
 * DSNs per second through SMTP into PostgreSQL: `depeche inbound`'s server runs in this process
 * on a fresh schema of TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test,
 * dropped after), N sent deliveries are seeded, and one RFC 3464 report per delivery (hard
 * bounce, 5.1.1, addressed to its VERP Return-Path) is sent over pooled SMTP connections. Each
 * one is parsed, attributed, recorded and acted on (the address suppressed) before its 250, so
 * the time until the last reply is the processing time. Target: at least 500 DSNs/s on 2 cores.
 * `statementsPerDsn` counts every statement the server's process sent to PostgreSQL (BEGIN and
 * COMMIT included) during the sending, per DSN: a figure of the code, not of the machine.
 *
 * Options: `--dsns N` (default 3000), `--connections N` (default 4).
 * `BENCH_CPU_PROFILE=inbound.cpuprofile` also writes a CPU profile of the server's process
 * during the sending alone (not the seeding), to open in Chrome DevTools or speedscope.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { sql } from 'drizzle-orm';
import pg from 'pg';

import { startInboundRuntime, verpFromConfig } from '../src/app/build-bounces.ts';
import { contentHashOf } from '../src/campaigns/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createCampaignRepository, migrate, openDatabase, queryRows } from '../src/db/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';

// Every statement (BEGIN and COMMIT included) the server's process sends, counted over the run:
// a figure of the code, not of the machine.
let statements = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The sending side, run in a process of its own: pooled nodemailer connections submit every
 * message of the file given; prints how many were refused.
 */
const senderScript = `
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
const [file, port, connections] = process.argv.slice(1);
const messages = JSON.parse(readFileSync(file, 'utf8'));
const transport = nodemailer.createTransport({
  host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true,
  pool: true, maxConnections: Number(connections), maxMessages: Infinity,
});
let next = 0;
let failed = 0;
await Promise.all(Array.from({ length: Number(connections) * 2 }, async () => {
  while (next < messages.length) {
    const message = messages[next++];
    await transport.sendMail({ envelope: { from: '', to: [message.returnPath] }, raw: message.raw })
      .catch(() => (failed += 1));
  }
}));
transport.close();
console.log(failed);
`;

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
  // One client sends everything here: the per-client limit would turn most away with 421.
  INBOUND_RATE_PER_MINUTE: '10000000',
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
  // The sender is another process, as a real relay is: the server's process does only its work.
  const messagesFile = path.join(tmpdir(), `depeche-bench-inbound-${process.pid}.json`);
  await writeFile(messagesFile, JSON.stringify(messages));
  const profilePath = process.env.BENCH_CPU_PROFILE;
  const profiler = profilePath ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  statements = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const failed = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        senderScript,
        messagesFile,
        String(server.port),
        String(connections),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`sender exited with ${code}`)),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const statementsSent = statements;
  if (profiler && profilePath) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(profilePath, JSON.stringify(profile));
    profiler.disconnect();
  }
  await rm(messagesFile, { force: true });
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
        serverNodeCpuSecondsPerThousand: Number(
          (((cpu.user + cpu.system) / 1e6 / count) * 1000).toFixed(2),
        ),
        statementsPerDsn: Number((statementsSent / count).toFixed(2)),
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
