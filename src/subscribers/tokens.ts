import { createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

import { AppError } from '../lib/index.ts';

/** What a token lets its bearer do; a token signed for one purpose is refused for another. */
export const TokenPurposeSchema = z.enum(['unsubscribe', 'preferences', 'confirm', 'view']);
/** @see TokenPurposeSchema */
export type TokenPurpose = z.infer<typeof TokenPurposeSchema>;

/** The signed content of a token. */
export const TokenPayloadSchema = z.object({
  purpose: TokenPurposeSchema,
  subscriberId: z.number().int().positive(),
  newsletterId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
    .optional(),
});
/** @see TokenPayloadSchema */
export type TokenPayload = z.infer<typeof TokenPayloadSchema>;

/** Why a token was refused. */
export type InvalidTokenReason = 'malformed' | 'signature' | 'expired' | 'purpose';

/** A token that is malformed, forged, expired or signed for another purpose. */
export class InvalidTokenError extends AppError {
  /** Why the token was refused: callers may log it, never show it to the bearer. */
  readonly reason: InvalidTokenReason;

  constructor(reason: InvalidTokenReason) {
    super('ETOKEN', `Invalid token (${reason})`);
    this.reason = reason;
  }
}

/** Keys of a {@link createTokenSigner}: the current one signs, every one verifies. */
export interface TokenSignerOptions {
  /** Id of `secret`, written inside every token so that keys can rotate. */
  keyId: string;
  /** Current signing key (SECRET_KEY). */
  secret: string;
  /** Former keys still accepted for verification, by id. @defaultValue {} */
  previousKeys?: Record<string, string>;
}

/** Options of {@link TokenSigner.sign}. */
export interface SignOptions {
  /** After this instant the token is refused as `expired`. @defaultValue never expires */
  expiresAt?: Date;
}

/** Wire form of the payload: short keys keep the URLs short. */
const WireSchema = z.object({
  p: TokenPurposeSchema,
  s: z.number().int().positive(),
  n: TokenPayloadSchema.shape.newsletterId,
  e: z.number().int().positive().optional(),
});

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]{1,512})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, signedPart: string): Buffer {
  return createHmac('sha256', secret).update(signedPart).digest();
}

/**
 * Builds the signer of the subscriber-specific links (unsubscribe, preferences, confirm, view).
 *
 * A token is `<keyId>.<base64url payload>.<base64url HMAC-SHA256>`: URL-safe, purpose-bound,
 * optionally expiring, verified in constant time with the key its id names, so that a rotated key
 * (SECRET_KEYS_PREVIOUS) keeps the links of mail already sent working.
 */
export function createTokenSigner(options: TokenSignerOptions) {
  const keys = new Map<string, string>(Object.entries(options.previousKeys ?? {}));
  keys.set(options.keyId, options.secret);
  if (!TOKEN_PATTERN.test(`${options.keyId}.a.${'a'.repeat(43)}`)) {
    throw new AppError('ECONFIG', `Token key id '${options.keyId}' must match [A-Za-z0-9_-]{1,16}`);
  }

  return {
    /** Signs `payload`; the token never expires unless `expiresAt` is given. */
    sign(payload: TokenPayload, signOptions: SignOptions = {}): string {
      const parsed = TokenPayloadSchema.parse(payload);
      const wire = {
        p: parsed.purpose,
        s: parsed.subscriberId,
        ...(parsed.newsletterId === undefined ? {} : { n: parsed.newsletterId }),
        ...(signOptions.expiresAt === undefined
          ? {}
          : { e: Math.ceil(signOptions.expiresAt.getTime() / 1000) }),
      };
      const signedPart = `${options.keyId}.${Buffer.from(JSON.stringify(wire)).toString('base64url')}`;
      return `${signedPart}.${mac(options.secret, signedPart).toString('base64url')}`;
    },

    /**
     * Checks `token` and returns its payload. Throws {@link InvalidTokenError}: `malformed`,
     * `signature` (forged, altered, or signed with an unknown key), `expired` (at `now`), or
     * `purpose` (signed for another use). The signature is checked before anything else is
     * trusted.
     */
    verify(token: string, purpose: TokenPurpose, now: Date): TokenPayload {
      const match = TOKEN_PATTERN.exec(typeof token === 'string' ? token.trim() : '');
      if (!match) throw new InvalidTokenError('malformed');
      const [, keyId = '', body = '', signature = ''] = match;
      const secret = keys.get(keyId);
      if (secret === undefined) throw new InvalidTokenError('signature');
      // Compared as text so that a non-canonical encoding of the right bytes is refused too.
      const expected = Buffer.from(mac(secret, `${keyId}.${body}`).toString('base64url'));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new InvalidTokenError('signature');
      }
      let wire: z.infer<typeof WireSchema>;
      try {
        wire = WireSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      } catch {
        throw new InvalidTokenError('malformed');
      }
      if (wire.e !== undefined && now.getTime() >= wire.e * 1000) {
        throw new InvalidTokenError('expired');
      }
      if (wire.p !== purpose) throw new InvalidTokenError('purpose');
      return {
        purpose: wire.p,
        subscriberId: wire.s,
        ...(wire.n === undefined ? {} : { newsletterId: wire.n }),
      };
    },
  };
}

/** Signs and verifies subscriber tokens. */
export type TokenSigner = ReturnType<typeof createTokenSigner>;
