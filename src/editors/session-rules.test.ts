import { describe, expect, it } from 'vitest';

import { generateSecretToken, hashSecretToken, isSecretTokenShape } from './secret-token.ts';
import { isSessionAlive, sessionExpiry, signInTokenExpiry } from './session-rules.ts';

const policy = { idleMinutes: 30, maxHours: 12 };
const start = new Date('2026-12-02T08:00:00Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

describe('session rules', () => {
  it('gives a sign-in link 15 minutes', () => {
    expect(signInTokenExpiry(start)).toEqual(at(15));
  });

  it.each([
    ['used a minute ago', at(600), at(601), true],
    ['idle for exactly the idle timeout', at(600), at(630), false],
    ['used recently but past its absolute lifetime', at(719), at(720), false],
  ])('a session %s is alive: %s', (_label, lastSeenAt, now, isAlive) => {
    const session = { lastSeenAt, expiresAt: sessionExpiry(start, policy) };
    expect(isSessionAlive(session, now, policy)).toBe(isAlive);
  });
});

describe('secret tokens', () => {
  it('are random, of one shape, and hashed to 64 hex digits', () => {
    const a = generateSecretToken();
    const b = generateSecretToken();
    expect(a).not.toBe(b);
    expect(isSecretTokenShape(a)).toBe(true);
    expect(isSecretTokenShape(`${a}x`)).toBe(false);
    expect(isSecretTokenShape('../etc')).toBe(false);
    expect(hashSecretToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecretToken(a)).not.toBe(hashSecretToken(b));
  });
});
