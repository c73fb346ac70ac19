import { createHash, randomBytes } from 'node:crypto';

/** A fresh random secret for a sign-in link or a session cookie (256 bits, base64url). */
export function generateSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of the secret: its SHA-256, hex. */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a string has the shape of a generated token (checked before any lookup). */
export function isSecretTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
