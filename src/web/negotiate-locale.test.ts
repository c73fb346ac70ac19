import { describe, expect, it } from 'vitest';

import { matchAcceptLanguage, negotiateLocale } from './negotiate-locale.ts';

describe('negotiateLocale', () => {
  it.each([
    [{}, 'fr'],
    [{ requested: 'en' }, 'en'],
    [{ requested: 'de', acceptLanguage: 'en' }, 'en'],
    [{ requested: 'fr', subscriber: 'en', acceptLanguage: 'en' }, 'fr'],
    [{ subscriber: 'en', acceptLanguage: 'fr' }, 'en'],
    [{ subscriber: null, acceptLanguage: 'es, en-US;q=0.8, fr;q=0.5' }, 'en'],
  ] as const)('chooses from %j → %s', (sources, expected) => {
    expect(negotiateLocale(sources)).toBe(expected);
  });
});

describe('matchAcceptLanguage', () => {
  it.each([
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['en;q=0.4, fr;q=0.6', 'fr'],
    ['de, en;q=0', undefined],
    ['', undefined],
    ['*', undefined],
  ])('matches %j → %s', (header, expected) => {
    expect(matchAcceptLanguage(header)).toBe(expected);
  });
});
