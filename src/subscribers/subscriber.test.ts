import { describe, expect, it } from 'vitest';
import { z } from 'zod';

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

  it.each([
    'a@example.org',
    "o'brien@example.ie",
    'x.y+z_w-v@sub.example.fr',
    'a..b@example.org',
    '.a@example.org',
    'a.@example.org',
    'a@-example.org',
    'a@example.c',
    'é@example.fr',
    'a@exa_mple.org',
    'a"b@example.org',
    'a@example.org.',
    'a@[192.0.2.1]',
  ])('judges %j as z.email() does', (raw) => {
    expect(tryNormalizeEmail(raw)).toBe(z.email().safeParse(raw).success ? raw : undefined);
  });
});

describe('hashEmail', () => {
  it('is the sha256 hex of the lower-cased address, so matching stays case-insensitive', () => {
    expect(hashEmail('Jean@example.org')).toBe(hashEmail('jean@example.org'));
    // the same hex sha256 as stored by earlier versions: suppressions are kept by this hash
    expect(hashEmail('jean@example.org')).toBe(
      '6268064b1faeb153b3cc0bda1c7c44fd277182fe592df703ed9a2ea155e5d871',
    );
    expect(hashEmail('jean@example.org')).not.toBe(hashEmail('jeanne@example.org'));
  });
});
