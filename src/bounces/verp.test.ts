import { describe, expect, it } from 'vitest';

import { createVerpAddresses } from './verp.ts';

const secret = 'test-secret-key-0123456789-abcdefghijkl';
const verp = createVerpAddresses({ bounceAddress: 'Bounces@News.Example.org', secrets: [secret] });

describe('createVerpAddresses', () => {
  it('gives each delivery a short signed address under the bounce domain', () => {
    const address = verp.returnPathFor(123_456);
    expect(address).toMatch(/^bounces\+2n9c-[0-9a-f]{12}@news\.example\.org$/);
    expect(verp.match(address)).toEqual({ kind: 'delivery', deliveryId: 123_456 });
  });

  it('reads the address whatever its case and angle brackets', () => {
    const address = verp.returnPathFor(7);
    expect(verp.match(`<${address.toUpperCase()}>`)).toEqual({ kind: 'delivery', deliveryId: 7 });
  });

  it('refuses a token whose signature does not match (forged bounce)', () => {
    const address = verp.returnPathFor(7);
    const otherId = address.replace('+7-', '+8-');
    expect(verp.match(otherId)).toEqual({ kind: 'forged' });
    expect(verp.match('bounces+7-000000000000@news.example.org')).toEqual({ kind: 'forged' });
    expect(verp.match('bounces+garbage@news.example.org')).toEqual({ kind: 'forged' });
    const signedElsewhere = createVerpAddresses({
      bounceAddress: 'bounces@news.example.org',
      secrets: ['another-secret-key-0123456789-abcdefgh'],
    }).returnPathFor(7);
    expect(verp.match(signedElsewhere)).toEqual({ kind: 'forged' });
  });

  it('accepts tokens signed with a former key', () => {
    const old = createVerpAddresses({
      bounceAddress: 'bounces@news.example.org',
      secrets: ['former-secret-key-0123456789-abcdefghi'],
    });
    const rotated = createVerpAddresses({
      bounceAddress: 'bounces@news.example.org',
      secrets: [secret, 'former-secret-key-0123456789-abcdefghi'],
    });
    expect(rotated.match(old.returnPathFor(99))).toEqual({ kind: 'delivery', deliveryId: 99 });
  });

  it.each([
    ['bounces@news.example.org', 'plain'],
    ['bounces@other.example.org', 'other'],
    ['someone+1-abc@news.example.org', 'other'],
    ['not an address', 'other'],
  ])('classifies %s as %s', (address, kind) => {
    expect(verp.match(address).kind).toBe(kind);
  });
});
