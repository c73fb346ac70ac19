import { describe, expect, it } from 'vitest';

import en from '../../locales/en.json' with { type: 'json' };
import fr from '../../locales/fr.json' with { type: 'json' };
import {
  createTranslator,
  formatDate,
  formatDateRange,
  formatWhen,
  hasTranslation,
} from './i18n.ts';

describe('formatDate', () => {
  it.each([
    ['2026-11-12', 'fr', '12 novembre 2026'],
    ['2026-11-12', 'en', '12 November 2026'],
    ['2026-11-01', 'fr', '1er novembre 2026'],
    ['2026-11-01', 'en', '1 November 2026'],
    ['2027-02-28', 'fr', '28 février 2027'],
    ['2026-12-03T18:30:00-05:00', 'fr', '3 décembre 2026'],
    ['2026-12-03T23:30:00-08:00', 'en', '3 December 2026'],
  ] as const)('formats %s in %s as %s', (date, locale, expected) => {
    expect(formatDate(date, locale)).toBe(expected);
  });

  it('reads a Date in UTC', () => {
    expect(formatDate(new Date(Date.UTC(2026, 10, 12)), 'fr')).toBe('12 novembre 2026');
  });
});

describe('formatDateRange', () => {
  it.each([
    ['2026-11-20', '2026-11-21', 'fr', '20–21 novembre 2026'],
    ['2026-11-20', '2026-11-21', 'en', '20–21 November 2026'],
    ['2026-11-30', '2026-12-02', 'fr', '30 novembre – 2 décembre 2026'],
    ['2026-11-20', '2026-11-20', 'en', '20 November 2026'],
  ] as const)('formats %s – %s in %s', (start, end, locale, expected) => {
    expect(formatDateRange(start, end, locale)).toBe(expected);
  });

  it('formats a single day when there is no end', () => {
    expect(formatDateRange('2026-11-20', undefined, 'fr')).toBe('20 novembre 2026');
  });
});

describe('formatWhen', () => {
  it.each([
    [
      '2026-11-18T17:00+01:00',
      '2026-11-18T18:30+01:00',
      'fr',
      '18 novembre 2026, 17\u00a0h – 18\u00a0h\u00a030 (UTC+1)',
    ],
    [
      '2026-12-03T18:00-05:00',
      '2026-12-03T21:00-05:00',
      'en',
      '3 December 2026, 18:00–21:00 (UTC\u22125)',
    ],
    ['2026-11-24T09:30Z', undefined, 'en', '24 November 2026, 09:30 (UTC)'],
    ['2026-11-26', '2026-11-27', 'fr', '26–27 novembre 2026'],
    [
      '2026-11-24T09:30',
      '2026-11-25T12:00',
      'en',
      '24 November 2026, 09:30 – 25 November 2026, 12:00',
    ],
  ] as const)('formats %s – %s in %s, time as written', (start, end, locale, expected) => {
    expect(formatWhen(start, end, locale)).toBe(expected);
  });
});

describe('createTranslator', () => {
  it('fills {vars} and keeps unknown ones', () => {
    const t = createTranslator('en');
    expect(t('email.greeting_named', { name: 'Ada' })).toBe('Hello Ada,');
    expect(t('email.greeting_named')).toBe('Hello {name},');
  });

  it('falls back to French, then to the key', () => {
    expect(createTranslator('en')('no.such.key')).toBe('no.such.key');
    expect(hasTranslation('en', 'email.unsubscribe')).toBe(true);
    expect(hasTranslation('en', 'no.such.key')).toBe(false);
  });

  it('has the same keys in both catalogues, with their meta keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    expect(fr['_.code']).toBe('fr');
    expect(en['_.code']).toBe('en');
  });
});
