import { describe, expect, it } from 'vitest';

import { extractDeadline } from './deadline.ts';

describe('extractDeadline', () => {
  it.each([
    ['Date limite : 15 décembre 2026', '2026-12-15'],
    ['date limite de candidature le 1er mars 2027.', '2027-03-01'],
    ['Clôture des candidatures : 3 févr. 2027', '2027-02-03'],
    ['Candidatures jusqu’au 30 septembre 2026', '2026-09-30'],
    ['Deadline: December 15, 2026', '2026-12-15'],
    ['Application deadline is Monday, January 5th, 2027', '2027-01-05'],
    ['Closing date 2026-12-15', '2026-12-15'],
    ['Applications due 15 Dec 2026', '2026-12-15'],
    ['Date limite : 15/12/2026', '2026-12-15'],
    ['Apply by 12/15/2026', '2026-12-15'],
    ['Deadline: 02/03/2027', '2027-02-03'],
  ])('reads %j', (text, expected) => {
    expect(extractDeadline(`Un appel à projets. ${text} Plus d’informations en ligne.`)).toBe(
      expected,
    );
  });

  it.each([
    ['Published on December 15, 2026'],
    ['Deadline: soon'],
    ['Date limite : 31 février 2027'],
    ['The deadline was moved'],
  ])('finds nothing in %j', (text) => {
    expect(extractDeadline(text)).toBeUndefined();
  });
});
