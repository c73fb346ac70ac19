import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createRssFetcher,
  type FeedEntry,
  FeedInvalidError,
  FeedUnreachableError,
  normalizeEntry,
  type ResolveAll,
} from '../../src/feeds/index.ts';
import {
  type FeedServer,
  neverAnswer,
  redirectTo,
  serveBytes,
  serveFixture,
  slowBody,
  startFeedServer,
  streamGzipBomb,
  streamHugeBody,
} from '../helpers/feed-server.ts';

// The fixture server is on 127.0.0.1, as FEED_ALLOW_PRIVATE_ADDRESSES=127.0.0.1 allows.
const local = ['127.0.0.1'];
const fetcher = createRssFetcher({
  timeoutMs: 1500,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  allowPrivateAddresses: local,
});
let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer({
    '/rss2.xml': serveFixture('rss2-content-encoded.xml', { isGzip: true, etag: '"v1"' }),
    '/atom.xml': serveFixture('atom-xml-base.xml', { contentType: 'application/atom+xml' }),
    '/rdf.xml': serveFixture('rss1-rdf.xml'),
    '/rss091.xml': serveFixture('rss091.xml'),
    '/latin1.xml': serveFixture('latin1-fr.xml', { contentType: 'text/xml' }),
    '/cp1252.xml': serveFixture('windows-1252-undeclared.xml', { contentType: 'text/xml' }),
    '/dated.xml': serveFixture('rss1-rdf.xml', {
      lastModified: 'Tue, 10 Nov 2026 10:00:00 GMT',
    }),
    '/malformed.xml': serveFixture('malformed.xml'),
    '/page.html': serveFixture('html-page.html', { contentType: 'text/html; charset=utf-8' }),
    '/empty.xml': serveBytes(''),
    '/bomb.xml': serveFixture('billion-laughs.xml'),
    '/huge.xml': streamHugeBody(50 * 1024 * 1024),
    '/gzip-bomb.xml': streamGzipBomb(1024 * 1024 * 1024),
    '/never.xml': neverAnswer,
    '/slow-body.xml': slowBody,
    '/loop-a': redirectTo('/loop-b'),
    '/loop-b': redirectTo('/loop-a'),
    '/moved': redirectTo('/rdf.xml', 301),
    '/moved-308': redirectTo('/moved', 308),
    '/moved-then-temporary': redirectTo('/temporary', 301),
    '/temporary': redirectTo('/rdf.xml', 302),
    '/temporary-then-moved': redirectTo('/moved', 307),
    '/moved-dated': redirectTo('/dated.xml', 301),
    // An allowed server sending the fetcher to another, refused, address.
    '/to-other-loopback': (_req, res) => {
      res.writeHead(302, { location: server.url('/rdf.xml').replace('127.0.0.1', '127.0.0.2') });
      res.end();
    },
    '/to-file': redirectTo('file:///etc/passwd'),
    '/to-credentials': (_req, res) => {
      res.writeHead(302, { location: server.url('/rdf.xml').replace('//', '//user:s3cret@') });
      res.end();
    },
    '/gone.xml': (_req, res) => res.writeHead(410).end(),
  });
});
afterAll(() => server.close());

async function entriesOf(path: string): Promise<FeedEntry[]> {
  const fetched = await fetcher.fetch(server.url(path), {});
  if (fetched.status !== 'ok') throw new Error(`expected a feed at ${path}`);
  return fetched.entries;
}

const now = new Date('2026-11-20T12:00:00Z');
function candidatesOf(entries: FeedEntry[], url: string) {
  return entries.map((entry) =>
    normalizeEntry(entry, {
      newsletterId: 'adn',
      feed: { url, name: 'Fixture', section: 'agences' },
      now,
    }),
  );
}

describe('RSS fetcher on real-world feed shapes', () => {
  it('reads gzip RSS 2.0 with content:encoded into clean candidates', async () => {
    const entries = await entriesOf('/rss2.xml');
    expect(entries).toHaveLength(5);
    const outcomes = candidatesOf(entries, server.url('/rss2.xml'));
    const [first, second, noLink, noDate, old] = outcomes;
    expect(first).toMatchObject({
      kind: 'candidate',
      candidate: {
        title: 'Agency announces new AI research institutes & partnerships',
        canonicalUrl: 'https://agency.example.org/news/ai-institutes?id=17',
        deadline: '2026-12-15',
        guid: 'news-2026-ai-institutes',
      },
    });
    if (first?.kind === 'candidate') {
      expect(first.candidate.summary).toBe('The agency today announced seven new institutes.');
      expect(first.candidate.summary).not.toMatch(/[<>]|script|evil/);
    }
    // Relative link resolved against the feed's own URL.
    expect(second).toMatchObject({
      candidate: { url: server.url('/news/fellowships'), deadline: '2027-01-12' },
    });
    expect(noLink).toEqual({ kind: 'skipped', reason: 'no-link' });
    expect(noDate).toMatchObject({ candidate: { publishedAt: null, firstSeenAt: now } });
    expect(old).toEqual({ kind: 'skipped', reason: 'too-old' });
  });

  it('resolves Atom links against xml:base of the feed and of the entry', async () => {
    const entries = await entriesOf('/atom.xml');
    const [job, call] = candidatesOf(entries, server.url('/atom.xml'));
    expect(job).toMatchObject({
      candidate: {
        title: 'Recrutement : chercheuses & chercheurs en mathématiques appliquées',
        url: 'https://institute.example.org/fr/emplois/2026/recrutement-chercheurs',
        summary: 'Postes ouverts au concours. Date limite : 15 décembre 2026.',
        deadline: '2026-12-15',
        guid: 'tag:institute.example.org,2026:emploi-12',
      },
    });
    expect(call).toMatchObject({
      candidate: {
        url: 'https://institute.example.org/en/calls/international?mc_cid=abc&mc_eid=def',
        canonicalUrl: 'https://institute.example.org/en/calls/international',
        deadline: '2027-01-31',
      },
    });
  });

  it('reads RSS 1.0 (RDF) and RSS 0.91 with a public DOCTYPE', async () => {
    const rdf = candidatesOf(await entriesOf('/rdf.xml'), server.url('/rdf.xml'));
    expect(rdf.map((o) => (o.kind === 'candidate' ? o.candidate.title : o.reason))).toEqual([
      'Ocean observation network extended to the Gulf of Mexico',
      'Seminar series on climate models opens in Mexico City',
    ]);
    expect(rdf[0]).toMatchObject({ candidate: { publishedAt: new Date('2026-11-03T12:00:00Z') } });
    const old = await entriesOf('/rss091.xml');
    expect(old[0]).toMatchObject({
      title: 'Telescope time allocation results for cycle 12',
      summaryHtml: 'Results are out été edition.',
    });
  });

  it('decodes declared ISO-8859-1 and undeclared Windows-1252 French feeds', async () => {
    const latin = await entriesOf('/latin1.xml');
    expect(latin[0]?.title).toBe('Appel à projets « Coopération franco-mexicaine » : ouverture');
    const [call] = candidatesOf(latin, server.url('/latin1.xml'));
    expect(call).toMatchObject({ candidate: { deadline: '2027-02-02' } });
    const cp1252 = await entriesOf('/cp1252.xml');
    expect(cp1252[0]?.title).toBe('Maître de conférences en écologie – poste n° 4321');
    expect(cp1252[0]?.summaryHtml).toContain('L’université recrute ; salaire à partir de 2 500 €');
    const [job] = candidatesOf(cp1252, server.url('/cp1252.xml'));
    expect(job).toMatchObject({ candidate: { deadline: '2027-01-08' } });
  });

  it('sends validators back and gets 304 Not Modified (ETag and Last-Modified)', async () => {
    const first = await fetcher.fetch(server.url('/rss2.xml'), {});
    expect(first).toMatchObject({ status: 'ok', etag: '"v1"' });
    const again = await fetcher.fetch(server.url('/rss2.xml'), { etag: '"v1"' });
    expect(again.status).toBe('not-modified');
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
    const dated = await fetcher.fetch(server.url('/dated.xml'), {});
    expect(dated).toMatchObject({ lastModified: 'Tue, 10 Nov 2026 10:00:00 GMT' });
    const unchanged = await fetcher.fetch(server.url('/dated.xml'), {
      lastModified: 'Tue, 10 Nov 2026 10:00:00 GMT',
    });
    expect(unchanged.status).toBe('not-modified');
  });

  it('follows a permanent redirect and resolves links against the final URL', async () => {
    const fetched = await fetcher.fetch(server.url('/moved'), {});
    expect(fetched).toMatchObject({ status: 'ok', url: server.url('/rdf.xml') });
  });

  it.each([
    ['/moved', '/rdf.xml'],
    ['/moved-308', '/rdf.xml'],
    ['/moved-then-temporary', '/temporary'],
    ['/temporary', undefined],
    ['/temporary-then-moved', undefined],
    ['/rdf.xml', undefined],
  ])('reports where permanent redirects lead: %s moved to %s', async (path, target) => {
    const fetched = await fetcher.fetch(server.url(path), {});
    expect(fetched).toMatchObject({ status: 'ok', url: server.url('/rdf.xml') });
    expect(fetched.movedTo).toBe(target === undefined ? undefined : server.url(target));
  });

  it('reports a permanent redirect on a 304 answer too', async () => {
    const fetched = await fetcher.fetch(server.url('/moved-dated'), {
      lastModified: 'Tue, 10 Nov 2026 10:00:00 GMT',
    });
    expect(fetched).toEqual({
      status: 'not-modified',
      url: server.url('/dated.xml'),
      movedTo: server.url('/dated.xml'),
    });
  });
});

describe('RSS fetcher and special-purpose addresses', () => {
  // As in production: FEED_ALLOW_PRIVATE_ADDRESSES unset.
  const strict = createRssFetcher({ timeoutMs: 1500, maxBytes: 1024 * 1024 });
  const port = () => new URL(server.baseUrl).port;

  async function refusal(fetching: Promise<unknown>): Promise<unknown> {
    return fetching.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('refuses the local server by default, without sending it a request', async () => {
    const before = server.requests.length;
    const failure = await refusal(strict.fetch(server.url('/rdf.xml'), {}));
    expect(failure).toBeInstanceOf(FeedUnreachableError);
    expect(failure).toMatchObject({
      reason: 'forbidden-address',
      message:
        '127.0.0.1 is a special-purpose address (loopback): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)',
    });
    expect(server.requests.length).toBe(before);
  });

  it('refuses a host name that resolves to the loopback address', async () => {
    const before = server.requests.length;
    const failure = await refusal(strict.fetch(`http://localhost:${port()}/rdf.xml`, {}));
    expect(failure).toMatchObject({ reason: 'forbidden-address' });
    expect((failure as Error).message).toMatch(
      /^'localhost' resolves to (127\.0\.0\.1|::1), a special-purpose address \(loopback\): not fetched/,
    );
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['http://[::1]:{port}/rdf.xml', '::1 is a special-purpose address (loopback)'],
    [
      'http://[::ffff:127.0.0.1]:{port}/rdf.xml',
      '::ffff:7f00:1 is a special-purpose address (loopback)',
    ],
    ['http://0.0.0.0:{port}/rdf.xml', '0.0.0.0 is a special-purpose address (this network)'],
    [
      'http://169.254.169.254/latest/meta-data/',
      '169.254.169.254 is a special-purpose address (link-local)',
    ],
    ['http://10.0.0.1/feed.xml', '10.0.0.1 is a special-purpose address (private)'],
    ['http://[fd00::2]/feed.xml', 'fd00::2 is a special-purpose address (unique local)'],
    ['http://224.0.0.1/feed.xml', '224.0.0.1 is a special-purpose address (multicast)'],
  ])('refuses %s', async (url, message) => {
    const failure = await refusal(strict.fetch(url.replace('{port}', port()), {}));
    expect(failure).toMatchObject({ reason: 'forbidden-address' });
    expect((failure as Error).message).toContain(message);
  });

  it('checks every redirect hop', async () => {
    const before = server.requests.length;
    const failure = await refusal(fetcher.fetch(server.url('/to-other-loopback'), {}));
    expect(failure).toMatchObject({
      reason: 'forbidden-address',
      message:
        '127.0.0.2 is a special-purpose address (loopback): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)',
    });
    expect(server.requests.slice(before).map((request) => request.path)).toEqual([
      '/to-other-loopback',
    ]);
  });

  it('connects only to the allowed addresses a name resolves to', async () => {
    const resolveAll: ResolveAll = (hostname, _options, callback) => {
      const answers: Record<string, string[]> = {
        'mixed.example.test': ['10.0.0.7', '127.0.0.1'],
        'mapped.example.test': ['::ffff:127.0.0.1'],
        'metadata.example.test': ['169.254.169.254', 'fd00::2'],
      };
      const addresses = answers[hostname] ?? [];
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
    };
    const resolving = createRssFetcher({
      timeoutMs: 1500,
      maxBytes: 1024 * 1024,
      allowPrivateAddresses: local,
      resolveAll,
    });
    const mixed = await resolving.fetch(`http://mixed.example.test:${port()}/rdf.xml`, {});
    expect(mixed.status).toBe('ok');
    expect(server.requests.at(-1)?.headers.host).toBe(`mixed.example.test:${port()}`);

    const strictResolving = createRssFetcher({ timeoutMs: 1500, maxBytes: 1024, resolveAll });
    await expect(
      strictResolving.fetch(`http://mapped.example.test:${port()}/rdf.xml`, {}),
    ).rejects.toMatchObject({
      reason: 'forbidden-address',
      message:
        "'mapped.example.test' resolves to ::ffff:127.0.0.1, a special-purpose address (loopback): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)",
    });
    await expect(
      resolving.fetch('http://metadata.example.test/latest/meta-data/', {}),
    ).rejects.toMatchObject({
      reason: 'forbidden-address',
      message:
        "'metadata.example.test' resolves to 169.254.169.254, a special-purpose address (link-local): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)",
    });
  });

  it('fetches from any address when configured to', async () => {
    const open = createRssFetcher({
      timeoutMs: 1500,
      maxBytes: 1024 * 1024,
      allowPrivateAddresses: true,
    });
    const fetched = await open.fetch(`http://localhost:${port()}/rdf.xml`, {});
    expect(fetched.status).toBe('ok');
  });
});

describe('RSS fetcher on bad input', () => {
  it.each([
    ['/malformed.xml', 'malformed', FeedInvalidError],
    ['/page.html', 'not-a-feed', FeedInvalidError],
    ['/empty.xml', 'empty', FeedInvalidError],
    ['/bomb.xml', 'entity-declaration', FeedInvalidError],
    ['/huge.xml', 'too-large', FeedUnreachableError],
    ['/gzip-bomb.xml', 'too-large', FeedUnreachableError],
    ['/never.xml', 'timeout', FeedUnreachableError],
    ['/slow-body.xml', 'timeout', FeedUnreachableError],
    ['/loop-a', 'too-many-redirects', FeedUnreachableError],
    ['/to-file', 'unsupported-scheme', FeedUnreachableError],
    ['/gone.xml', 'http-status', FeedUnreachableError],
  ])('%s ends as a feed error: %s', async (path, reason, errorClass) => {
    const failure = await fetcher.fetch(server.url(path), {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(errorClass);
    expect(failure).toMatchObject({ reason });
  });

  it.each(['file:///etc/passwd', 'ftp://ftp.example.org/feed.xml', 'data:text/xml,<rss/>'])(
    'refuses %s before any request',
    async (url) => {
      const before = server.requests.length;
      await expect(fetcher.fetch(url, {})).rejects.toMatchObject({ reason: 'unsupported-scheme' });
      expect(server.requests.length).toBe(before);
    },
  );

  it('refuses a URL with a user name and password, and never repeats the password', async () => {
    const before = server.requests.length;
    for (const url of [
      server.url('/rdf.xml').replace('//', '//user:s3cret@'),
      server.url('/to-credentials'),
    ]) {
      const failure = (await fetcher.fetch(url, {}).catch((error: unknown) => error)) as Error;
      expect(failure).toMatchObject({ reason: 'invalid-url' });
      expect(failure.message).toContain('user name or password');
      expect(failure.message).not.toContain('s3cret');
    }
    // the redirecting server was asked; the URL with credentials never was
    expect(server.requests.length).toBe(before + 1);
  });

  it('stops reading a huge body at the limit', async () => {
    const small = createRssFetcher({
      timeoutMs: 5000,
      maxBytes: 100_000,
      allowPrivateAddresses: local,
    });
    await expect(small.fetch(server.url('/huge.xml'), {})).rejects.toMatchObject({
      reason: 'too-large',
      message: 'the feed is larger than 100000 bytes',
    });
  });
});
