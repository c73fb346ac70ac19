/**
 * Feed polling benchmark: 200 feeds of 50 entries each, served on 127.0.0.1 with 100 ms of
 * latency per request, polled once at the configured (default) FEED_CONCURRENCY into PGlite in
 * memory (or PostgreSQL when BENCH_DATABASE_URL is set). Prints JSON: total time, entries/s,
 * peak RSS. Target: ≤ 5 s. Run: `npx tsx bench/feeds.ts`.
 *
 * `BENCH_CPU_PROFILE=poll.cpuprofile` also writes a CPU profile of the poll alone (not of the
 * start-up and migrations), to open in Chrome DevTools or speedscope.
 */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { loadConfig } from '../src/config/index.ts';
import {
  createCandidateRepository,
  createFeedHealthRepository,
  migrate,
  openDatabase,
} from '../src/db/index.ts';
import { createFeedService, createRssFetcher } from '../src/feeds/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';

const FEEDS = 200;
const ENTRIES = 50;
const LATENCY_MS = 100;

function feedXml(feed: number, now: Date): string {
  const items = Array.from({ length: ENTRIES }, (_, index) => {
    const published = new Date(now.getTime() - (index + 1) * 3_600_000).toUTCString();
    return `<item><title>Feed ${feed} announces result number ${index} of its programme</title>
<link>https://feed${feed}.example.org/news/${index}?utm_source=rss</link>
<guid isPermaLink="false">feed-${feed}-item-${index}</guid><pubDate>${published}</pubDate>
<description><![CDATA[<p>Summary of item ${index} of feed ${feed}, with <b>markup</b> &amp; entities. Date limite : 15 décembre 2026.</p>]]></description>
<content:encoded><![CDATA[<p>${'Full text of the entry. '.repeat(20)}</p>]]></content:encoded></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Feed ${feed}</title><link>https://feed${feed}.example.org/</link><description>Bench</description>
${items}</channel></rss>`;
}

const config = loadConfig(process.env);
const now = new Date();
const bodies = Array.from({ length: FEEDS }, (_, feed) => Buffer.from(feedXml(feed, now)));
const server = http.createServer((req, res) => {
  const feed = Number(/\/feed\/(\d+)\.xml/.exec(req.url ?? '')?.[1]);
  const body = bodies[feed];
  setTimeout(() => {
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': body.length });
    res.end(body);
  }, LATENCY_MS);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const databaseUrl = process.env.BENCH_DATABASE_URL;
// On PostgreSQL the bench works in a schema of its own, dropped at the end.
const schema = `bench_feeds_${process.pid}`;
async function adminQuery(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(query);
  await client.end();
}
if (databaseUrl) await adminQuery(`CREATE SCHEMA ${schema}`);
const handle = await openDatabase(
  databaseUrl ? { kind: 'postgres', url: databaseUrl, schema } : { kind: 'pglite' },
);
await migrate(handle);

const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

const service = createFeedService({
  fetcher: createRssFetcher({
    timeoutMs: config.FEED_TIMEOUT_MS,
    maxBytes: config.FEED_MAX_BYTES,
    // The bench serves its feeds on 127.0.0.1, which the poller refuses unless told otherwise.
    allowPrivateAddresses: ['127.0.0.1'],
  }),
  candidates: createCandidateRepository(handle.db),
  health: createFeedHealthRepository(handle.db),
  clock: systemClock,
  logger: createSilentLogger(),
  concurrency: config.FEED_CONCURRENCY,
  feedDeadlineMs: config.FEED_TIMEOUT_MS * 2,
});
const newsletter = {
  id: 'bench',
  feeds: Array.from({ length: FEEDS }, (_, feed) => ({
    url: `http://127.0.0.1:${port}/feed/${feed}.xml`,
    name: `Feed ${feed}`,
    section: 'news',
  })),
};

function failureCounts(feeds: Array<{ error?: { reason: string } }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const feed of feeds) {
    if (feed.error) counts[feed.error.reason] = (counts[feed.error.reason] ?? 0) + 1;
  }
  return counts;
}

const profilePath = process.env.BENCH_CPU_PROFILE;
const profiler = profilePath ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
const report = await service.poll([newsletter]);
const totalMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (profiler && profilePath) {
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(profilePath, JSON.stringify(profile));
  profiler.disconnect();
}
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log(
  JSON.stringify(
    {
      feeds: FEEDS,
      entriesPerFeed: ENTRIES,
      latencyMs: LATENCY_MS,
      concurrency: config.FEED_CONCURRENCY,
      database: databaseUrl ? 'postgres' : 'pglite (memory)',
      totalMs: Math.round(totalMs),
      entries: report.totals.entries,
      newCandidates: report.totals.newCandidates,
      failed: report.totals.failed,
      failures: failureCounts(report.feeds),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      entriesPerSecond: Math.round(report.totals.entries / (totalMs / 1000)),
      baselineRssMiB: Math.round(baselineRss / 1024 / 1024),
      peakRssMiB: Math.round(peakRss / 1024 / 1024),
      targetMs: 5000,
      isWithinTarget: totalMs <= 5000,
    },
    null,
    2,
  ),
);
await handle.close();
if (databaseUrl) await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
server.close();
