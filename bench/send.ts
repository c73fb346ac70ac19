/**
 * Send benchmark: (a) the ceiling and (b) the naive path from `send-ceiling.ts`, then (c) the
 * full path — a campaign of 100,000 recipients on PostgreSQL through fan-out, Redis (BullMQ),
 * the batch sender and delivery rows — all against one local SMTP sink in a child process;
 * then (d) the same campaign again through two relays, the first of which drops 1 % of its
 * connections right after storing the message: duplicates must all be `uncertain` rows.
 *
 * Run: `npx tsx bench/send.ts [--recipients 100000] [--count 3000] [--faults-recipients N] [--own-redis]`
 * (`--faults-recipients 0` skips (d); it defaults to `--recipients`) with PostgreSQL at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a schema is created and
 * dropped) and Redis at REDIS_URL. The audience is written by PostgreSQL itself
 * (`generate_series`, 100,000 rows per statement) and the fan-out streams it page by page, so a
 * run of 1,000,000 needs no more memory here than one of 1,000. Prints one JSON object on stdout
 * at the end, and each phase's figures on stderr as that phase ends.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';

import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pg from 'pg';

import { startDeliveryRuntime } from '../src/app/build-delivery.ts';
import { createIssueSnapshotter } from '../src/campaigns/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { loadIssue } from '../src/content/index.ts';
import { createCampaignRepository, migrate, openDatabase, queryRows } from '../src/db/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';
import { createRedisConnection } from '../src/queue/index.ts';
import { createRenderer } from '../src/render/index.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { measureCeiling, measureNaive, type SinkReport, startSinkProcess } from './send-ceiling.ts';

async function startOwnRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined); // not listening yet: tried again below
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch (error) {
      client.disconnect();
      if (tries > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, stop: () => child.kill('SIGKILL') };
}

/** Each phase's figures on stderr as it ends, so that a long run cut short still told them. */
function progress(phase: string, figures: unknown): void {
  process.stderr.write(`${JSON.stringify({ phase, at: new Date().toISOString(), figures })}\n`);
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

const recipients = argument('--recipients', 100_000);
const count = argument('--count', 3000);
const faultRecipients = Math.min(argument('--faults-recipients', recipients), recipients);
/** Rows written per statement when creating the audience. */
const audienceChunk = 100_000;
const poolSize = argument('--pool', 5);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * `--own-redis`: a Redis server of the bench's own on a free port (no persistence), so that its
 * memory figures are the campaign's alone on a Redis other work shares.
 */
const ownRedis = process.argv.includes('--own-redis') ? await startOwnRedis() : undefined;
const redisUrl = ownRedis?.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const sink = await startSinkProcess();
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const database = await openDatabase({ kind: 'postgres', url: databaseUrl, schema, poolSize: 20 });
const probe = new Redis(redisUrl);
try {
  // (a) and (b): no queue, no database.
  const renderer = createRenderer({ templatesDir: 'templates' });
  const { issue, newsletter } = await loadIssue('issues', 'adn/2026-11');
  const sample = { rendered: await renderer.renderIssue(issue, newsletter, 'fr'), newsletter };
  const common = { sinkPort: sink.port, poolSize, sample };
  await measureCeiling({ ...common, count: 200 }); // warm-up
  const ceiling = await measureCeiling({ ...common, count });
  const naive = await measureNaive({ ...common, count });
  progress('ceiling and naive', { ceiling, naive });

  // (c): the full path.
  await migrate(database);
  const db = database.db;
  const audienceStarted = Date.now();
  for (let first = 1; first <= recipients; first += audienceChunk) {
    const last = Math.min(first + audienceChunk - 1, recipients);
    await db.execute(sql`
      INSERT INTO subscribers (email, email_hash, name, locale)
      SELECT 'reader' || n || '@example.net',
             encode(sha256(convert_to('reader' || n || '@example.net', 'UTF8')), 'hex'),
             'Lecteur ' || n, CASE WHEN n % 5 = 0 THEN 'en' ELSE 'fr' END
      FROM generate_series(${first}::int, ${last}::int) AS n`);
  }
  await db.execute(sql`
    INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
    SELECT id, 'adn', 'active', now() FROM subscribers`);
  const audienceMs = Date.now() - audienceStarted;
  await db.execute(sql`ANALYZE`);
  const snapshot = await createIssueSnapshotter({
    loadIssue: (ref) => loadIssue('issues', ref),
    renderIssue: (i, n, locale) => renderer.renderIssue(i, n, locale),
  })('adn/2026-11');
  const memory = async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))?.[1] ?? 0);

  /** One campaign to the newsletter's whole audience, through `smtpUrls`, until `done`. */
  async function runCampaign(smtpUrls: string[]) {
    const campaign = await createCampaignRepository().create(db, { ...snapshot, segment: {} });
    const config = loadConfig({
      DEPECHE_ENV: 'test',
      SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijkl',
      PUBLIC_URL: 'https://news.example.org',
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtpUrls.join(','),
      SMTP_POOL_SIZE: String(poolSize),
      SEND_RATE_PER_SECOND: '1000000',
      SEND_RATE_PER_HOUR: '1000000000',
      SEND_CONCURRENCY: String(argument('--concurrency', 4)),
      SEND_BATCH_SIZE: String(argument('--batch', 100)),
      LOG_LEVEL: 'silent',
    });
    const redis = createRedisConnection(redisUrl, 'depeche-bench');
    const runtime = await startDeliveryRuntime({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database,
      redis,
    });
    let fanOutMs = 0;
    runtime.workers.workers[1]?.on('completed', (job) => {
      fanOutMs = (job.finishedOn ?? 0) - (job.processedOn ?? 0);
    });
    const baseline = await memory();
    let peak = baseline;
    const sampler = setInterval(() => {
      void memory().then((used) => (peak = Math.max(peak, used)));
    }, 100);
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    let rssPeak = process.memoryUsage().rss;
    await runtime.delivery.service.send(campaign.id);
    for (;;) {
      const [row] = await queryRows<{ status: string }>(
        db,
        sql`SELECT status FROM campaigns WHERE id = ${campaign.id}`,
      );
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (row?.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const elapsedMs = Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const counts = await runtime.delivery.deliveries.countByStatus(db, campaign.id);
    await runtime.close();
    redis.disconnect();
    const total = counts.sent + counts.failed + counts.uncertain;
    return {
      campaignId: campaign.id,
      recipients: total,
      sent: counts.sent,
      failed: counts.failed,
      uncertain: counts.uncertain,
      elapsedMs,
      msgsPerSec: Math.round((counts.sent / elapsedMs) * 1000),
      fanOutMs,
      cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / Math.max(total, 1)).toFixed(3)),
      benchRssPeakBytes: rssPeak,
      redisMemory: {
        baselineBytes: baseline,
        peakBytes: peak,
        peakAboveBaselineBytes: peak - baseline,
      },
      batchSize: config.SEND_BATCH_SIZE,
      concurrency: config.SEND_CONCURRENCY,
      poolSize,
    };
  }

  // (c): the full path, one relay.
  const full = { name: 'full', ...(await runCampaign([`smtp://127.0.0.1:${sink.port}`])) };
  progress('full', full);

  // (d): the same campaign through two relays, the first dropping 1 % of its connections right
  // after storing the message (it takes every message while it accepts connections).
  let faults: Record<string, unknown> | undefined;
  if (faultRecipients > 0) {
    await db.execute(sql`DELETE FROM subscriptions WHERE subscriber_id > ${faultRecipients}`);
    const faulty = await startSinkProcess({
      faults: { dropAfterStoreShare: 0.01 },
      countRecipients: true,
    });
    const clean = await startSinkProcess({ countRecipients: true });
    try {
      const run = await runCampaign([
        `smtp://127.0.0.1:${faulty.port}`,
        `smtp://127.0.0.1:${clean.port}`,
      ]);
      const reports = [await faulty.report(), await clean.report()];
      // a recipient stored twice, by one relay or across both
      const twice = new Set<string>();
      for (const report of reports) for (const rcpt of report.duplicates) twice.add(rcpt);
      const [faultyReport, cleanReport] = reports as [SinkReport, SinkReport];
      const statuses = await queryRows<{ status: string; n: number }>(
        db,
        sql`SELECT d.status, count(*)::int AS n FROM deliveries d JOIN subscribers s
            ON s.id = d.subscriber_id
            WHERE d.campaign_id = ${run.campaignId} AND s.email IN (SELECT jsonb_array_elements_text(${JSON.stringify([...twice])}::jsonb))
            GROUP BY d.status`,
      );
      const outsideUncertain = statuses
        .filter((row) => row.status !== 'uncertain')
        .reduce((sum, row) => sum + row.n, 0);
      faults = {
        name: 'two relays, the first dropping 1 % of connections after storing the message',
        ...run,
        relays: {
          faulty: {
            accepted: faultyReport.accepted,
            droppedAfterStore: faultyReport.droppedAfterStore,
          },
          clean: { accepted: cleanReport.accepted },
        },
        duplicates: twice.size,
        duplicatesOutsideUncertain: outsideUncertain,
        storedRecipients: faultyReport.distinctRecipients + cleanReport.distinctRecipients,
      };
    } finally {
      faulty.stop();
      clean.stop();
    }
  }

  process.stdout.write(
    `${JSON.stringify(
      {
        redis: ownRedis === undefined ? 'shared (REDIS_URL)' : 'own redis-server',
        machine: { cores: os.cpus().length, load: os.loadavg().map((n) => Number(n.toFixed(1))) },
        audience: { recipients, createdMs: audienceMs },
        ceiling,
        naive,
        full,
        faults,
        ratios: {
          fullOverCeiling: Number((full.msgsPerSec / ceiling.msgsPerSec).toFixed(2)),
          fullOverNaive: Number((full.msgsPerSec / naive.msgsPerSec).toFixed(2)),
        },
        targets: { fullOverNaive: 2, fullOverCeiling: 0.6, duplicatesOutsideUncertain: 0 },
        note: "CPU per message counts this process (fan-out, workers, sending); the sinks run in child processes, PostgreSQL and Redis outside. Redis memory is the whole server's: with --own-redis, the bench's alone.",
      },
      null,
      2,
    )}\n`,
  );
} finally {
  sink.stop();
  await database.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
  let cursor = '0';
  do {
    const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await probe.del(...keys);
  } while (cursor !== '0');
  probe.disconnect();
  ownRedis?.stop();
}
