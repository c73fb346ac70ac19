/**
 * Inbox benchmark: 10,000 candidates of one newsletter (and 10,000 of another, so that the
 * newsletter filter has work to do), a sent campaign 30 days ago, notes on some; then the inbox
 * page query (`InboxService.list`: last sent campaign, one page of 50, the total count, the
 * page's notes) timed for several filters, in PGlite in memory or in PostgreSQL when
 * BENCH_DATABASE_URL is set; then the page through its route, `GET /editor/inbox`, with
 * Fastify's inject(). Prints JSON: p50 and p95 in ms per filter and route. Target: well under
 * 100 ms. Run: `npx tsx bench/inbox.ts`.
 */
import path from 'node:path';

import { sql } from 'drizzle-orm';
import pg from 'pg';

import { createInboxService, type InboxQueryInput } from '../src/compose/index.ts';
import { createNewsletterLoader } from '../src/content/index.ts';
import {
  createCandidateRepository,
  createEditorRepository,
  createInboxRepository,
  migrate,
  openDatabase,
} from '../src/db/index.ts';
import type { NewCandidate } from '../src/feeds/index.ts';
import { systemClock } from '../src/lib/index.ts';
import { signedInEditor } from '../test/helpers/editor-session.ts';
import { buildTestWebApp } from '../test/helpers/web-app.ts';

const CANDIDATES = 10_000;
const RUNS = 40;
const NEWSLETTER = 'fil-de-marianne';
const SECTIONS = ['postes', 'appels', 'bourses', 'prix', 'evenements'];
const WORDS = ['École', 'recherche', 'Université', 'chercheur', 'écologie', 'Mexique', 'physique'];

const databaseUrl = process.env.BENCH_DATABASE_URL;
const schema = `bench_inbox_${process.pid}`;
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
const { db } = handle;

const now = Date.now();
const day = 86_400_000;
function seed(newsletterId: string): NewCandidate[] {
  return Array.from({ length: CANDIDATES }, (_, index) => {
    const seen = new Date(now - (index % 90) * day - index * 1000);
    const title = `${WORDS[index % WORDS.length]} : offre ${index} ${WORDS[(index * 3) % WORDS.length]}`;
    return {
      newsletterId,
      feedUrl: `https://feed${index % 20}.example.org/rss.xml`,
      sourceName: `Source ${index % 20}`,
      guid: `${newsletterId}-${index}`,
      url: `https://feed${index % 20}.example.org/item/${index}`,
      canonicalUrl: `https://feed${index % 20}.example.org/item/${index}`,
      title,
      titleKey: `${newsletterId} ${index}`,
      summary: `Résumé de l’offre ${index}, ${'un texte de présentation '.repeat(8)}`,
      sectionId: SECTIONS[index % SECTIONS.length] ?? null,
      publishedAt: index % 7 === 0 ? null : seen,
      firstSeenAt: seen,
      deadline:
        index % 3 === 0 ? new Date(now + (index % 120) * day).toISOString().slice(0, 10) : null,
    };
  });
}

const candidates = createCandidateRepository(db);
const seedStarted = performance.now();
await candidates.insertNew(seed(NEWSLETTER));
await candidates.insertNew(seed('adn'));
// A fifth picked, a tenth dismissed; a sent campaign 30 days ago; a note on every 50th.
await db.execute(sql`UPDATE feed_candidates SET status = 'picked', touched_at = first_seen_at
  WHERE id % 5 = 0`);
await db.execute(sql`UPDATE feed_candidates SET status = 'dismissed' WHERE id % 10 = 1`);
await db.execute(sql`INSERT INTO campaigns (newsletter_id, issue_key, status, content_hash, started_at)
  VALUES (${NEWSLETTER}, 'fil-de-marianne/2026-11', 'done', 'bench',
          ${new Date(now - 30 * day).toISOString()}::timestamptz)`);
const editor = await createEditorRepository(db).insert(
  { email: 'bench@example.org', name: 'Bench', role: 'editor' },
  new Date(),
);
await db.execute(sql`INSERT INTO candidate_notes (candidate_id, editor_id, body, created_at)
  SELECT id, ${editor?.id ?? 0}, 'Note de banc', now() FROM feed_candidates WHERE id % 50 = 2`);
await db.execute(sql`ANALYZE`);
const seedMs = performance.now() - seedStarted;

const inbox = createInboxService({
  store: createInboxRepository(db),
  loadNewsletter: createNewsletterLoader(path.resolve('issues')),
  clock: systemClock,
  newMaxDays: 45,
});

const filters: Record<string, Omit<InboxQueryInput, 'newsletterId'>> = {
  'default (new since the last issue)': {},
  'all states, since any, page 1': { state: 'all', since: 'any' },
  'all states, since any, page 100': { state: 'all', since: 'any', page: 100 },
  'free text "ecole"': { state: 'all', since: 'any', q: 'ecole' },
  'free text, no match': { state: 'all', since: 'any', q: 'introuvable' },
  'section + deadline before, by deadline': {
    since: 'any',
    section: 'appels',
    deadlineBefore: new Date(now + 60 * day).toISOString().slice(0, 10),
    sort: 'deadline',
  },
  'feed, picked': { state: 'picked', since: 'any', feed: 'https://feed4.example.org/rss.xml' },
  aged: { state: 'aged', since: 'any' },
};

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

async function time(run: () => Promise<unknown>) {
  for (let i = 0; i < 5; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}

const results: Record<string, { total: number; p50Ms: number; p95Ms: number }> = {};
for (const [name, filter] of Object.entries(filters)) {
  const query = { newsletterId: NEWSLETTER, ...filter };
  const { total } = await inbox.list(query);
  results[name] = { total, ...(await time(() => inbox.list(query))) };
}

// The same page through the workspace route (session, CSRF cookie, rendering of 50 rows),
// with Fastify's inject(): no network, the server's own time.
const web = await buildTestWebApp({ database: handle, editor: {} });
if (!web.editor) throw new Error('workspace not built');
const { cookies } = await signedInEditor(web.editor, 'bench-route@example.org', 'editor');
const routes: Record<string, { p50Ms: number; p95Ms: number }> = {};
for (const [name, url] of Object.entries({
  'GET /editor/inbox (default)': `/editor/inbox?newsletter=${NEWSLETTER}`,
  'GET /editor/inbox?state=all&since=any&page=100': `/editor/inbox?newsletter=${NEWSLETTER}&state=all&since=any&page=100`,
  'GET /editor/inbox?q=ecole&state=all&since=any': `/editor/inbox?newsletter=${NEWSLETTER}&q=ecole&state=all&since=any`,
})) {
  const run = async () => {
    const response = await web.app.inject({ method: 'GET', url, cookies });
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  };
  routes[name] = await time(run);
}
await web.app.close();

console.log(
  JSON.stringify(
    {
      database: databaseUrl ? 'postgres' : 'pglite (memory)',
      candidatesPerNewsletter: CANDIDATES,
      newsletters: 2,
      pageSize: 50,
      runs: RUNS,
      seedMs: Math.round(seedMs),
      pageQuery: results,
      route: routes,
    },
    null,
    2,
  ),
);

await handle.close();
if (databaseUrl) await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
