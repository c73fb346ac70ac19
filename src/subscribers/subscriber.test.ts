import { describe, expect, it } from 'vitest';

import { hashEmail, normalizeEmail, tryNormalizeEmail } from './subscriber.ts';

describe('normalizeEmail', () => {
  it.each([
    ['  Jean.Dupont@CNRS.FR ', 'Jean.Dupont@cnrs.fr'],
    ['a@Example.ORG', 'a@example.org'],
    ['first+tag@sub.example.co.uk', 'first+tag@sub.example.co.uk'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each(['', 'plain', '@example.org', 'a@', 'a b@example.org', 'a@example', 'a@@example.org'])(
    'refuses %j',
    (raw) => {
      expect(tryNormalizeEmail(raw)).toBeUndefined();
      expect(() => normalizeEmail(raw)).toThrow(/not a valid email address/);
    },
  );
});

describe('hashEmail', () => {
  it('is the sha256 hex of the lower-cased address, so matching stays case-insensitive', () => {
    expect(hashEmail('Jean@example.org')).toBe(hashEmail('jean@example.org'));
    expect(hashEmail('jean@example.org')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEmail('jean@example.org')).not.toBe(hashEmail('jeanne@example.org'));
  });
});
