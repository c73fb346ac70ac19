import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createCandidateRepository,
  createFeedHealthRepository,
  type Database,
} from '../../src/db/index.ts';
import { createFeedService, createRssFetcher } from '../../src/feeds/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type FeedServer,
  neverAnswer,
  redirectTo,
  serveFixture,
  startFeedServer,
  streamHugeBody,
} from '../helpers/feed-server.ts';

const now = new Date('2026-11-20T12:00:00Z');
let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer({
    '/agency.xml': serveFixture('rss2-content-encoded.xml', { etag: '"a1"' }),
    // The same items under another address: stored once. Its old address redirects for good.
    '/agency-mirror.xml': serveFixture('rss2-content-encoded.xml'),
    '/agency-mirror-old.xml': redirectTo('/agency-mirror.xml', 301),
    '/atom.xml': serveFixture('atom-xml-base.xml', {
      lastModified: 'Thu, 12 Nov 2026 10:00:00 GMT',
    }),
    '/latin1.xml': serveFixture('latin1-fr.xml'),
    '/malformed.xml': serveFixture('malformed.xml'),
    '/bomb.xml': serveFixture('billion-laughs.xml'),
    '/huge.xml': streamHugeBody(50 * 1024 * 1024),
    '/never.xml': neverAnswer,
    '/loop': redirectTo('/loop'),
  });
});
afterAll(() => server.close());

function newsletters() {
  return [
    {
      id: 'adn',
      feeds: [
        { url: server.url('/agency.xml'), name: 'Agency', section: 'agences' },
        { url: server.url('/agency-mirror-old.xml'), name: 'Agency mirror', section: 'agences' },
        {
          url: server.url('/atom.xml'),
          name: 'Institut',
          section: 'recherche',
          // The job stays in the feed's section; the call is routed by its title.
          sections: [{ keywords: ['appel à projets', 'call for projects'], section: 'appels' }],
        },
        { url: server.url('/malformed.xml'), name: 'Broken', section: 'agences' },
        { url: server.url('/bomb.xml'), name: 'Bomb', section: 'agences' },
        { url: server.url('/huge.xml'), name: 'Huge', section: 'agences' },
        { url: server.url('/never.xml'), name: 'Silent server', section: 'agences' },
        { url: server.url('/loop'), name: 'Loop', section: 'agences' },
        { url: 'file:///etc/passwd', name: 'Local file', section: 'agences' },
        { url: 'ftp://ftp.example.org/feed.xml', name: 'FTP', section: 'agences' },
        // Loopback, but not the one address the poller is allowed.
        {
          url: server.url('/agency.xml').replace('127.0.0.1', '127.0.0.2'),
          name: 'Other loopback',
          section: 'agences',
        },
      ],
    },
    {
      id: 'fil-de-marianne',
      feeds: [
        {
          url: server.url('/latin1.xml'),
          name: 'Agence',
          section: 'appels',
          include: ['appel', 'coopération'],
        },
      ],
    },
  ];
}

describe.each(databaseKinds)('feed service on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;

  function service() {
    return createFeedService({
      fetcher: createRssFetcher({
        timeoutMs: 1500,
        maxBytes: 1024 * 1024,
        // The fixture server is on 127.0.0.1, as FEED_ALLOW_PRIVATE_ADDRESSES=127.0.0.1 allows.
        allowPrivateAddresses: ['127.0.0.1'],
      }),
      candidates: createCandidateRepository(db),
      health: createFeedHealthRepository(db),
      clock: fixedClock(now),
      logger: createSilentLogger(),
      concurrency: 4,
      feedDeadlineMs: 10_000,
    });
  }

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    await db.execute(sql`TRUNCATE feed_candidates, feed_health RESTART IDENTITY`);
  });

  it('stores clean candidates once and records every bad feed as an error', async () => {
    const report = await service().poll(newsletters());
    const byName = new Map(report.feeds.map((feed) => [feed.name, feed]));
    expect(byName.get('Agency')).toMatchObject({ status: 'ok', entries: 5 });
    expect(byName.get('Agency')?.skipped).toMatchObject({ 'no-link': 1, 'too-old': 1 });
    // Both carry the same three usable items; whichever is read first stores them.
    const agencyNew = [byName.get('Agency'), byName.get('Agency mirror')].map(
      (feed) => feed?.newCandidates,
    );
    expect(agencyNew.sort()).toEqual([0, 3]);
    expect(byName.get('Agency mirror')?.movedTo).toBe(server.url('/agency-mirror.xml'));
    expect(byName.get('Agency')?.movedTo).toBeUndefined();
    expect(byName.get('Institut')).toMatchObject({ status: 'ok', newCandidates: 2 });
    expect(byName.get('Agence')).toMatchObject({ status: 'ok', newCandidates: 1 });
    expect(byName.get('Agence')?.skipped['not-included']).toBe(1);
    const reasons = Object.fromEntries(
      report.feeds.filter((f) => f.status === 'error').map((f) => [f.name, f.error?.reason]),
    );
    expect(reasons).toEqual({
      Broken: 'malformed',
      Bomb: 'entity-declaration',
      Huge: 'too-large',
      'Silent server': 'timeout',
      Loop: 'too-many-redirects',
      'Local file': 'unsupported-scheme',
      FTP: 'unsupported-scheme',
      'Other loopback': 'forbidden-address',
    });
    expect(byName.get('Other loopback')?.error?.message).toBe(
      '127.0.0.2 is a special-purpose address (loopback): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)',
    );
    expect(report.totals).toMatchObject({ feeds: 12, failed: 8, newCandidates: 6 });

    const candidates = createCandidateRepository(db);
    const adn = await candidates.list({ newsletterId: 'adn' });
    expect(adn).toHaveLength(5);
    expect(adn.every((c) => !/[<>]/.test(c.title + c.summary))).toBe(true);
    const sectionOf = (title: string) => adn.find((c) => c.title.startsWith(title))?.sectionId;
    expect(sectionOf('Recrutement : chercheuses')).toBe('recherche');
    expect(sectionOf('Call for projects: international collaborations')).toBe('appels');
    const fil = await candidates.list({ newsletterId: 'fil-de-marianne' });
    expect(fil[0]).toMatchObject({
      title: 'Appel à projets « Coopération franco-mexicaine » : ouverture',
      deadline: '2027-02-02',
      sectionId: 'appels',
      status: 'new',
    });
  });

  it('asks again with validators, stores nothing twice, and counts failures', async () => {
    await service().poll(newsletters());
    const second = await service().poll(newsletters());
    const byName = new Map(second.feeds.map((feed) => [feed.name, feed]));
    expect(byName.get('Agency')?.status).toBe('not-modified');
    expect(byName.get('Institut')?.status).toBe('not-modified');
    expect(byName.get('Agency mirror')).toMatchObject({ status: 'ok', newCandidates: 0 });
    expect(second.totals.newCandidates).toBe(0);
    const agencyRequests = server.requests.filter((r) => r.path === '/agency.xml');
    expect(agencyRequests.at(-1)?.headers['if-none-match']).toBe('"a1"');
    const atomRequests = server.requests.filter((r) => r.path === '/atom.xml');
    expect(atomRequests.at(-1)?.headers['if-modified-since']).toBe('Thu, 12 Nov 2026 10:00:00 GMT');

    const health = await service().health(newsletters());
    const byFeed = new Map(health.map((h) => [h.name, h]));
    expect(byFeed.get('Agency')).toMatchObject({
      state: 'ok',
      health: {
        etag: '"a1"',
        consecutiveFailures: 0,
        itemsSeen: 5,
        lastEntryCount: 5,
        lastSuccessAt: now,
      },
    });
    expect(byFeed.get('Bomb')).toMatchObject({
      state: 'failing',
      health: { consecutiveFailures: 2, lastErrorReason: 'entity-declaration', lastErrorAt: now },
    });
    expect(byFeed.get('Agency')?.health?.typicalGapSec).toBeGreaterThan(0);
    expect(byFeed.get('Agency')?.movedTo).toBeNull();
    expect(byFeed.get('Agency mirror')).toMatchObject({
      state: 'ok',
      movedTo: server.url('/agency-mirror.xml'),
      health: { movedTo: server.url('/agency-mirror.xml') },
    });
  });
});
