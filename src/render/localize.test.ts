import { describe, expect, it } from 'vitest';

import { testIssue, testNewsletter } from '../../test/fixtures/render/sample-issues.ts';
import { sortByDeadline } from './helpers.ts';
import { isClosingSoon, localizeIssue } from './localize.ts';

describe('isClosingSoon', () => {
  it.each([
    ['2026-11-05', true],
    ['2026-11-19', true],
    ['2026-11-20', false],
    ['2026-11-04', false],
    [undefined, false],
  ] as const)('deadline %s for an issue of 2026-11-05 → %s', (deadline, expected) => {
    expect(isClosingSoon(deadline, '2026-11-05')).toBe(expected);
  });
});

describe('sortByDeadline', () => {
  it('orders by deadline, keeps ties and undated items in their order, undated last', () => {
    const items = [
      { id: 'a' },
      { id: 'b', deadline: '2026-12-01' },
      { id: 'c', deadline: '2026-11-20' },
      { id: 'd' },
      { id: 'e', deadline: '2026-11-20' },
    ];
    expect(sortByDeadline(items).map((item) => item.id)).toEqual(['c', 'e', 'b', 'a', 'd']);
  });
});

describe('localizeIssue', () => {
  it('picks English texts where present and French otherwise', () => {
    const en = localizeIssue(testIssue, testNewsletter, 'en');
    expect(en.subject).toBe('Le fil de Marianne — November 2026');
    expect(en.preheader).toBe(testIssue.preheader);
    expect(en.introduction).toBe('Welcome to this **November** issue.');
    expect(en.newsletter.description).toBe('Opportunities for French researchers abroad.');
    expect(en.sections.map((section) => section.title)).toEqual(['Jobs', 'Events']);
    const [late, soon] = en.sections[0]?.items ?? [];
    expect(late).toMatchObject({
      title: 'CNRS research scientist (late)',
      summary: 'A position at CNRS.',
    });
    expect(soon).toMatchObject({
      title: 'Bourse Inria (soon)',
      isClosingSoon: true,
      isOpportunity: true,
    });
  });

  it('keeps the French texts for a French reader', () => {
    const fr = localizeIssue(testIssue, testNewsletter, 'fr');
    expect(fr.subject).toBe(testIssue.subject);
    expect(fr.sections[0]?.title).toBe('Postes');
    expect(fr.sections[0]?.items[0]?.title).toBe('Chargé·e de recherche CNRS (late)');
    expect(fr.issueKey).toBe('fil-de-marianne/2026-11');
  });

  it('counts the closing-soon marks from another day when given one', () => {
    const onIssueDate = localizeIssue(testIssue, testNewsletter, 'fr');
    const later = localizeIssue(testIssue, testNewsletter, 'fr', '2027-01-05');
    const marks = (view: typeof later) =>
      view.sections.flatMap((section) => section.items.map((item) => item.isClosingSoon));
    expect(marks(onIssueDate)).toEqual([false, true, false, false]);
    // Ten days before the January deadline; the November ones are past, so not « soon ».
    expect(marks(later)).toEqual([true, false, false, false]);
  });
});

describe('localizeIssue at a planned send date', () => {
  it('computes « closing soon » on the send date given, the issue date by default', () => {
    const soonOf = (view: ReturnType<typeof localizeIssue>) =>
      view.sections[0]?.items.map((item) => item.isClosingSoon);
    const byIssueDate = soonOf(localizeIssue(testIssue, testNewsletter, 'fr'));
    expect(byIssueDate).toContain(true);
    // Long after every deadline, nothing is « closing soon » any more.
    expect(soonOf(localizeIssue(testIssue, testNewsletter, 'fr', '2030-01-01'))).not.toContain(
      true,
    );
  });

  it('leaves out a section without items', () => {
    const withEmpty = {
      ...testIssue,
      sections: [...testIssue.sections, { id: 'events', items: [] }],
    };
    const view = localizeIssue(withEmpty, testNewsletter, 'fr');
    expect(view.sections).toHaveLength(testIssue.sections.length);
    expect(view.sections.every((section) => section.items.length > 0)).toBe(true);
  });
});
