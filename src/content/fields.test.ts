import { describe, expect, it } from 'vitest';

import {
  compareDateOrDateTime,
  HttpUrlSchema,
  isCalendarDate,
  isDateOrDateTime,
  isHttpUrl,
} from './fields.ts';

describe('isCalendarDate', () => {
  it.each([
    ['2026-11-05', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-11-5', false],
    ['05/11/2026', false],
    ['2026-11-05T10:00', false],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });
});

describe('isDateOrDateTime', () => {
  it.each([
    ['2026-11-20', true],
    ['2026-11-20T14:00', true],
    ['2026-11-20T14:00:30Z', true],
    ['2026-11-20T14:00+01:00', true],
    ['2026-11-31T14:00', false],
    ['2026-11-20T25:00', false],
    ['2026-11-20 14:00', false],
  ])('%s → %s', (value, expected) => {
    expect(isDateOrDateTime(value)).toBe(expected);
  });
});

describe('isHttpUrl', () => {
  it.each([
    ['https://www.nsf.gov/news', true],
    ['http://example.org', true],
    ['ftp://example.org/file', false],
    ['javascript:alert(1)', false],
    ['www.nsf.gov', false],
    ['https://', false],
  ])('%s → %s', (value, expected) => {
    expect(isHttpUrl(value)).toBe(expected);
  });

  it('quotes the bad value in the schema message', () => {
    const result = HttpUrlSchema.safeParse('mailto:someone@example.org');
    expect(result.error?.issues[0]?.message).toBe(
      "must be an http:// or https:// URL, got 'mailto:someone@example.org'",
    );
  });

  it('refuses a URL with a user name or password without repeating it', () => {
    const result = HttpUrlSchema.safeParse('https://editor:s3cret@feeds.example.org/rss');
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'must not carry a user name or password (user:password@)',
    ]);
    expect(HttpUrlSchema.safeParse('https://feeds.example.org/rss').success).toBe(true);
  });
});

describe('compareDateOrDateTime', () => {
  it('compares days when either value is a bare date', () => {
    expect(compareDateOrDateTime('2026-11-20', '2026-11-20T18:00')).toBe(0);
    expect(compareDateOrDateTime('2026-11-19', '2026-11-20')).toBeLessThan(0);
  });

  it('compares instants when both are date-times', () => {
    expect(compareDateOrDateTime('2026-11-20T10:00+01:00', '2026-11-20T09:30Z')).toBeLessThan(0);
  });
});
