import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApprovalLinkChecker } from '../../src/app/build-feeds.ts';
import { checkIssueLinks } from '../../src/compose/index.ts';
import type { Issue } from '../../src/content/index.ts';
import { createIssueKnownLinksRepository, type Database } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

/** The link check at approval goes through the feed poller's address policy. */
describe('approval link check (real HTTP)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/missing' ? 404 : 200;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const issueWith = (urls: string[]): Issue => ({
    newsletter: 'adn',
    number: 1,
    date: '2026-12-03',
    subject: 'S',
    preheader: 'P',
    introduction: 'I',
    sections: [
      {
        id: 'agences',
        items: urls.map((url, index) => ({ kind: 'news', title: `T${index}`, summary: 'S', url })),
      },
    ],
  });

  it('never requests a loopback address, naming the policy', async () => {
    const checker = buildApprovalLinkChecker({
      FEED_TIMEOUT_MS: 5000,
      FEED_ALLOW_PRIVATE_ADDRESSES: false,
    });
    const report = await checkIssueLinks(issueWith([`${base}/page`]), checker, []);
    expect(report.links[0]).toMatchObject({ isOk: false });
    expect(report.links[0]?.reason).toMatch(/special-purpose address \(loopback\)/);
    expect(report.findings[0]).toMatchObject({ code: 'link-broken', level: 'block' });
  });

  it('checks the links where the address policy allows it', async () => {
    const checker = buildApprovalLinkChecker({
      FEED_TIMEOUT_MS: 5000,
      FEED_ALLOW_PRIVATE_ADDRESSES: ['127.0.0.1'],
    });
    const report = await checkIssueLinks(issueWith([`${base}/page`, `${base}/missing`]), checker, [
      `${base}/missing`,
    ]);
    expect(report.links.map((link) => [link.isOk, link.status, link.isKnown])).toEqual([
      [true, 200, false],
      [false, 404, true],
    ]);
    expect(report.findings.map((finding) => finding.level)).toEqual(['warn']);
  });
});

describe.each(databaseKinds)('issue known links on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('marks, lists and unmarks known links per issue; a second mark keeps the first', async () => {
    const links = createIssueKnownLinksRepository(db);
    const at = new Date('2026-12-03T10:00:00Z');
    await links.mark('adn/2026-12', 'https://example.org/a', commandLineActor('marie'), at);
    await links.mark('adn/2026-12', 'https://example.org/a', commandLineActor('paul'), new Date());
    await links.mark('adn/2026-11', 'https://example.org/b', commandLineActor('marie'), at);
    expect(await links.list('adn/2026-12')).toEqual([
      {
        issueKey: 'adn/2026-12',
        url: 'https://example.org/a',
        markedBy: { kind: 'command-line', name: 'marie' },
        markedAt: at,
      },
    ]);
    expect(await links.unmark('adn/2026-12', 'https://example.org/a')).toBe(true);
    expect(await links.unmark('adn/2026-12', 'https://example.org/a')).toBe(false);
    expect(await links.list('adn/2026-12')).toEqual([]);
    expect((await links.list('adn/2026-11')).map((link) => link.url)).toEqual([
      'https://example.org/b',
    ]);
  });
});
