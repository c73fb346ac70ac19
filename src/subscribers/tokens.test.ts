import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createTokenSigner, InvalidTokenError, type InvalidTokenReason } from './tokens.ts';

const now = new Date('2026-11-23T10:00:00Z');
const secret = 'a'.repeat(40);
const signer = createTokenSigner({ keyId: 'k2', secret });

function reasonOf(fn: () => unknown): InvalidTokenReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('token signer', () => {
  it('round-trips a payload in a URL-safe string', () => {
    const token = signer.sign({ purpose: 'unsubscribe', subscriberId: 42, newsletterId: 'adn' });
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(signer.verify(token, 'unsubscribe', now)).toEqual({
      purpose: 'unsubscribe',
      subscriberId: 42,
      newsletterId: 'adn',
    });
  });

  it('refuses a token signed for another purpose', () => {
    const token = signer.sign({ purpose: 'preferences', subscriberId: 1 });
    expect(reasonOf(() => signer.verify(token, 'unsubscribe', now))).toBe('purpose');
  });

  it('refuses an expired token and accepts it before expiry', () => {
    const token = signer.sign(
      { purpose: 'confirm', subscriberId: 7 },
      { expiresAt: new Date('2026-11-30T10:00:00Z') },
    );
    expect(signer.verify(token, 'confirm', now).subscriberId).toBe(7);
    expect(reasonOf(() => signer.verify(token, 'confirm', new Date('2026-11-30T10:00:01Z')))).toBe(
      'expired',
    );
  });

  it('refuses a forged token: payload altered, signed with another key, or garbage', () => {
    const token = signer.sign({ purpose: 'unsubscribe', subscriberId: 42 });
    const [keyId, , signature] = token.split('.');
    const altered = Buffer.from(JSON.stringify({ p: 'unsubscribe', s: 43 })).toString('base64url');
    expect(
      reasonOf(() => signer.verify(`${keyId}.${altered}.${signature}`, 'unsubscribe', now)),
    ).toBe('signature');
    const other = createTokenSigner({ keyId: 'k2', secret: 'b'.repeat(40) });
    const forged = other.sign({ purpose: 'unsubscribe', subscriberId: 42 });
    expect(reasonOf(() => signer.verify(forged, 'unsubscribe', now))).toBe('signature');
    const cut = token.length - 43;
    const flipped = token.slice(0, cut) + (token[cut] === 'A' ? 'B' : 'A') + token.slice(cut + 1);
    const padded = token.slice(0, -1) + String.fromCharCode(token.charCodeAt(token.length - 1) ^ 1);
    expect(reasonOf(() => signer.verify(padded, 'unsubscribe', now))).toBe('signature');
    expect(reasonOf(() => signer.verify(flipped, 'unsubscribe', now))).toBe('signature');
    expect(reasonOf(() => signer.verify('nonsense', 'unsubscribe', now))).toBe('malformed');
    expect(reasonOf(() => signer.verify('', 'unsubscribe', now))).toBe('malformed');
  });

  it('refuses a well-signed body that is not a payload', () => {
    const body = Buffer.from('{"p":"unsubscribe","s":-1}').toString('base64url');
    const sig = createHmac('sha256', secret).update(`k2.${body}`).digest('base64url');
    expect(reasonOf(() => signer.verify(`k2.${body}.${sig}`, 'unsubscribe', now))).toBe(
      'malformed',
    );
  });

  it('verifies tokens of a previous key after rotation, and refuses unknown key ids', () => {
    const old = createTokenSigner({ keyId: 'k1', secret: 'o'.repeat(40) });
    const token = old.sign({ purpose: 'unsubscribe', subscriberId: 5 });
    const rotated = createTokenSigner({
      keyId: 'k2',
      secret,
      previousKeys: { k1: 'o'.repeat(40) },
    });
    expect(rotated.verify(token, 'unsubscribe', now).subscriberId).toBe(5);
    expect(reasonOf(() => signer.verify(token, 'unsubscribe', now))).toBe('signature');
    expect(rotated.sign({ purpose: 'view', subscriberId: 5 }).startsWith('k2.')).toBe(true);
  });
});
