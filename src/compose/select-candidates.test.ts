import { describe, expect, it } from 'vitest';

import type { Candidate } from '../feeds/index.ts';
import { candidateToItem, escapeMarkdown, selectCandidates } from './select-candidates.ts';

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

  it('keeps feed text from becoming Markdown or HTML', () => {
    expect(escapeMarkdown('<b>gras</b> *x* [lien](javascript:x) `code`')).toBe(
      '\\<b\\>gras\\</b\\> \\*x\\* \\[lien\\](javascript:x) \\`code\\`',
    );
    expect(escapeMarkdown('# titre')).toBe('\\# titre');
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
