import { describe, expect, it } from 'vitest';

import type { Issue, LinkResult } from '../content/index.ts';
import { checkIssueLinks } from './check-issue-links.ts';

const issue: Issue = {
  newsletter: 'adn',
  number: 4,
  date: '2026-12-03',
  subject: 'AdN — décembre 2026',
  preheader: 'Le mois',
  introduction: 'Voir [le rapport](https://example.org/rapport) et <https://example.org/ok>.',
  sections: [
    {
      id: 'agences',
      items: [
        { kind: 'news', title: 'A', summary: 'S', url: 'https://example.org/broken' },
        {
          kind: 'news',
          title: 'B',
          summary: 'Lien [ok](https://example.org/ok)',
          url: 'https://example.org/b',
        },
      ],
    },
  ],
};

/** A checker answering 404 for `/broken` and `/rapport`, OK otherwise; counts requests. */
function fakeChecker() {
  const requested: string[] = [];
  return {
    requested,
    async check(urls: readonly string[]): Promise<LinkResult[]> {
      requested.push(...urls);
      return urls.map((url) =>
        /broken|rapport/.test(url)
          ? { url, isOk: false, status: 404, reason: 'HTTP 404' }
          : { url, isOk: true, status: 200 },
      );
    },
  };
}

describe('checkIssueLinks', () => {
  it('reports every link and blocks on the failing ones not marked known', async () => {
    const checker = fakeChecker();
    const report = await checkIssueLinks(issue, checker, ['https://example.org/rapport']);
    expect(report.links.map((link) => [link.url, link.isOk, link.isKnown])).toEqual([
      ['https://example.org/rapport', false, true],
      ['https://example.org/ok', true, false],
      ['https://example.org/broken', false, false],
      ['https://example.org/b', true, false],
      ['https://example.org/ok', true, false],
    ]);
    expect(report.findings).toEqual([
      {
        code: 'link-known-broken',
        level: 'warn',
        path: ['introduction'],
        where: 'introduction',
        message: 'link https://example.org/rapport failed: HTTP 404 (marked as known by an editor)',
      },
      {
        code: 'link-broken',
        level: 'block',
        path: ['sections', 0, 'items', 0, 'url'],
        where: 'sections.0.items.0.url',
        message:
          'link https://example.org/broken failed: HTTP 404; fix it, or mark it as known to approve anyway',
      },
    ]);
  });

  it('finds nothing when every link works', async () => {
    const working = {
      ...issue,
      introduction: 'Bonne lecture.',
      sections: [{ id: 'agences', items: [issue.sections[0]!.items[1]!] }],
    };
    const report = await checkIssueLinks(working, fakeChecker(), []);
    expect(report.findings).toEqual([]);
    expect(report.links.every((link) => link.isOk)).toBe(true);
  });
});
