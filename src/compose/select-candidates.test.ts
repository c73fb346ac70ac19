import { describe, expect, it } from 'vitest';

import type { Candidate } from '../feeds/index.ts';
import {
  candidateToItem,
  escapeMarkdown,
  kindForCandidate,
  selectCandidates,
} from './select-candidates.ts';

const base: Candidate = {
  id: 1,
  newsletterId: 'fil-de-marianne',
  feedUrl: 'https://agence.example.fr/rss.xml',
  sourceName: 'ANR',
  guid: null,
  url: 'https://agence.example.fr/a?utm_source=rss',
  canonicalUrl: 'https://agence.example.fr/a',
  title: 'Appel à projets franco-mexicain',
  titleKey: 'appel a projets franco mexicain',
  summary: 'Ouvert aux équipes des deux pays.',
  sectionId: 'appels',
  publishedAt: new Date('2026-11-06T09:00:00Z'),
  firstSeenAt: new Date('2026-11-07T09:00:00Z'),
  deadline: null,
  status: 'picked',
  statusChangedAt: null,
  usedInIssue: null,
};
const newsletter = {
  sections: [
    { id: 'postes', title: { fr: 'Postes', en: 'Jobs' } },
    { id: 'appels', title: { fr: 'Appels', en: 'Calls' } },
  ],
};

describe('candidateToItem', () => {
  it('makes a call with the source as institution when a deadline is still open', () => {
    expect(candidateToItem({ ...base, deadline: '2027-02-02' }, '2026-12-01')).toEqual({
      kind: 'call',
      title: 'Appel à projets franco-mexicain',
      summary: 'Ouvert aux équipes des deux pays.',
      url: 'https://agence.example.fr/a',
      institution: 'ANR',
      location: 'À préciser',
      deadline: '2027-02-02',
    });
  });

  it('makes news when there is no deadline or it has passed', () => {
    expect(candidateToItem({ ...base, deadline: '2026-11-30' }, '2026-12-01')).toEqual({
      kind: 'news',
      title: 'Appel à projets franco-mexicain',
      summary: 'Ouvert aux équipes des deux pays.',
      url: 'https://agence.example.fr/a',
      source: 'ANR',
      date: '2026-11-06',
    });
  });

  it.each(['job', 'fellowship', 'prize', 'call'] as const)(
    'makes a %s when its feed says so and the deadline is open',
    (kind) => {
      expect(candidateToItem({ ...base, deadline: '2027-02-02' }, '2026-12-01', kind)).toEqual({
        kind,
        title: 'Appel à projets franco-mexicain',
        summary: 'Ouvert aux équipes des deux pays.',
        url: 'https://agence.example.fr/a',
        institution: 'ANR',
        location: 'À préciser',
        deadline: '2027-02-02',
      });
    },
  );

  it('makes an event starting on its date, a publication, and news for a job without a deadline', () => {
    expect(candidateToItem({ ...base, deadline: '2027-01-10' }, '2026-12-01', 'event')).toEqual({
      kind: 'event',
      title: 'Appel à projets franco-mexicain',
      summary: 'Ouvert aux équipes des deux pays.',
      url: 'https://agence.example.fr/a',
      start: '2027-01-10',
      place: 'À préciser',
    });
    expect(
      candidateToItem({ ...base, deadline: '2027-01-10' }, '2026-12-01', 'publication'),
    ).toMatchObject({ kind: 'publication', source: 'ANR', date: '2026-11-06' });
    expect(candidateToItem(base, '2026-12-01', 'job')).toMatchObject({
      kind: 'news',
      source: 'ANR',
    });
    expect(candidateToItem({ ...base, deadline: '2026-11-30' }, '2026-12-01', 'job').kind).toBe(
      'news',
    );
  });

  it('keeps feed text from becoming Markdown or HTML', () => {
    expect(escapeMarkdown('<b>gras</b> *x* [lien](javascript:x) `code`')).toBe(
      '\\<b\\>gras\\</b\\> \\*x\\* \\[lien\\](javascript:x) \\`code\\`',
    );
    expect(escapeMarkdown('# titre')).toBe('\\# titre');
  });
});

describe('kindForCandidate', () => {
  const feeds = [
    {
      url: 'https://agence.example.fr/rss.xml',
      name: 'ANR',
      section: 'appels',
      kind: 'call' as const,
      max_age_days: 60,
      sections: [
        { keywords: ['poste'], section: 'postes', kind: 'job' as const },
        { keywords: ['divers'], section: 'divers' },
      ],
    },
  ];

  it("takes the routing rule's kind for its section, else the feed's, else none", () => {
    expect(kindForCandidate({ ...base, sectionId: 'postes' }, { feeds })).toBe('job');
    expect(kindForCandidate({ ...base, sectionId: 'appels' }, { feeds })).toBe('call');
    expect(kindForCandidate({ ...base, sectionId: 'divers' }, { feeds })).toBe('call');
    expect(kindForCandidate({ ...base, feedUrl: 'https://other.example.org/rss' }, { feeds })).toBe(
      undefined,
    );
    expect(kindForCandidate(base, {})).toBe(undefined);
  });

  it('drafts the items of a jobs feed as jobs instead of calls', () => {
    const selection = selectCandidates(
      [{ ...base, sectionId: 'postes', deadline: '2027-01-15' }],
      { ...newsletter, feeds },
      '2026-12-01',
    );
    expect(selection.sections[0]?.items[0]?.kind).toBe('job');
  });
});

describe('selectCandidates', () => {
  it('places candidates in section order, nearest deadline first, same page once', () => {
    const selection = selectCandidates(
      [
        { ...base, id: 1, deadline: '2027-03-01' },
        { ...base, id: 2, canonicalUrl: 'https://agence.example.fr/b', deadline: '2027-01-10' },
        { ...base, id: 3, canonicalUrl: 'http://AGENCE.example.fr/a/' },
        { ...base, id: 4, canonicalUrl: 'https://agence.example.fr/c', sectionId: 'gone' },
      ],
      newsletter,
      '2026-12-01',
    );
    expect(selection.usedIds).toEqual([1, 2, 4]);
    expect(selection.sections.map((s) => [s.id, s.items.map((i) => i.url)])).toEqual([
      ['postes', ['https://agence.example.fr/c']],
      ['appels', ['https://agence.example.fr/b', 'https://agence.example.fr/a']],
    ]);
  });
});
