/**
 * Send benchmark: (a) the ceiling and (b) the naive path from `send-ceiling.ts`, then (c) the
 * full path — a campaign of 100,000 recipients on PostgreSQL through fan-out, Redis (BullMQ),
 * the batch sender and delivery rows — all against one local SMTP sink in a child process.
 *
 * Run: `npx tsx bench/send.ts [--recipients 100000] [--count 3000]` with PostgreSQL at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a schema is created and
 * dropped) and Redis at REDIS_URL. Prints one JSON object.
 */
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pg from 'pg';

import { startDeliveryRuntime } from '../src/build-delivery.ts';
import { loadConfig } from '../src/config/index.ts';
import { loadIssue } from '../src/content/index.ts';
import { createCampaignRepository, migrate, openDatabase, queryRows } from '../src/db/index.ts';
import { createIssueSnapshotter } from '../src/delivery/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';
import { createRedisConnection } from '../src/queue/index.ts';
import { createRenderer } from '../src/render/index.ts';
import { measureCeiling, measureNaive, startSinkProcess } from './send-ceiling.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const recipients = argument('--recipients', 100_000);
const count = argument('--count', 3000);
const poolSize = argument('--pool', 5);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
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

  // (c): the full path.
  await migrate(database);
  const db = database.db;
  await db.execute(sql`
    INSERT INTO subscribers (email, email_hash, name, locale)
    SELECT 'reader' || n || '@example.net',
           encode(sha256(convert_to('reader' || n || '@example.net', 'UTF8')), 'hex'),
           'Lecteur ' || n, CASE WHEN n % 5 = 0 THEN 'en' ELSE 'fr' END
    FROM generate_series(1, ${recipients}) AS n`);
  await db.execute(sql`
    INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
    SELECT id, 'adn', 'active', now() FROM subscribers`);
  await db.execute(sql`ANALYZE`);
  const snapshot = await createIssueSnapshotter({
    loadIssue: (ref) => loadIssue('issues', ref),
    renderIssue: (i, n, locale) => renderer.renderIssue(i, n, locale),
  })('adn/2026-11');
  const campaign = await createCampaignRepository().create(db, { ...snapshot, segment: {} });

  const config = loadConfig({
    DEPECHE_ENV: 'test',
    SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijkl',
    PUBLIC_URL: 'https://news.example.org',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
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
  const memory = async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))?.[1] ?? 0);
  const baseline = await memory();
  let peak = baseline;
  const sampler = setInterval(() => {
    void memory().then((used) => (peak = Math.max(peak, used)));
  }, 100);
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  await runtime.delivery.service.send(campaign.id);
  for (;;) {
    const [row] = await queryRows<{ status: string }>(
      db,
      sql`SELECT status FROM campaigns WHERE id = ${campaign.id}`,
    );
    if (row?.status === 'done') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const elapsedMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const counts = await runtime.delivery.deliveries.countByStatus(db, campaign.id);
  await runtime.close();
  redis.disconnect();

  const full = {
    name: 'full',
    recipients,
    sent: counts.sent,
    failed: counts.failed,
    uncertain: counts.uncertain,
    elapsedMs,
    msgsPerSec: Math.round((counts.sent / elapsedMs) * 1000),
    fanOutMs,
    cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / recipients).toFixed(3)),
    redisMemory: {
      baselineBytes: baseline,
      peakBytes: peak,
      peakAboveBaselineBytes: peak - baseline,
    },
    batchSize: config.SEND_BATCH_SIZE,
    concurrency: config.SEND_CONCURRENCY,
    poolSize,
  };
  process.stdout.write(
    `${JSON.stringify(
      {
        ceiling,
        naive,
        full,
        ratios: {
          fullOverCeiling: Number((full.msgsPerSec / ceiling.msgsPerSec).toFixed(2)),
          fullOverNaive: Number((full.msgsPerSec / naive.msgsPerSec).toFixed(2)),
        },
        targets: { fullOverNaive: 2, fullOverCeiling: 0.6, fanOutMs: 3000 },
        note: 'CPU per message counts this process (fan-out, workers, sending); the sink runs in a child process, PostgreSQL and Redis outside.',
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
}
