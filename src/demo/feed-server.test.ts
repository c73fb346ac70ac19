import { describe, expect, it } from 'vitest';

import { fillFeedDates } from './feed-server.ts';

describe('fillFeedDates', () => {
  const now = new Date('2026-11-23T06:00:00Z');

  it.each([
    ['{{rfc822:-3}}', 'Fri, 20 Nov 2026 06:00:00 GMT'],
    ['{{iso:-1}}', '2026-11-22T06:00:00.000Z'],
    ['Date limite : {{fr:+8}}.', 'Date limite : 1er décembre 2026.'],
    ['Date limite : {{fr:+40}}', 'Date limite : 2 janvier 2027'],
    ['Deadline: {{en:+40}}.', 'Deadline: January 2, 2027.'],
    ['no placeholder {{other:+1}}', 'no placeholder {{other:+1}}'],
  ])('fills %s relative to the run', (text, expected) => {
    expect(fillFeedDates(text, now)).toBe(expected);
  });
});
