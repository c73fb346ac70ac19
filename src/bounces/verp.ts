import { createHmac, timingSafeEqual } from 'node:crypto';

/** Options of {@link createVerpAddresses}. */
export interface VerpOptions {
  /** BOUNCE_ADDRESS, e.g. `bounces@news.example.org`. */
  bounceAddress: string;
  /** Keys of the signature: the first signs, every one verifies (SECRET_KEY, then former keys). */
  secrets: readonly string[];
}

/** What a recipient address of an inbound message says about its delivery. */
export type VerpMatch =
  | { kind: 'delivery'; deliveryId: number }
  /** Under the bounce address, but its signature is wrong: forged or garbled, ignored. */
  | { kind: 'forged' }
  /** The bounce address itself, with no token. */
  | { kind: 'plain' }
  | { kind: 'other' };

/** Hex digits of the HMAC kept in a token (48 bits). */
const macLength = 12;

/**
 * The per-message envelope sender (VERP, Variable Envelope Return Path): a delivery's Return-Path
 * is `bounces+<id>-<mac>@domain`, the delivery row's id in base 36 and a short HMAC-SHA256 of it,
 * lower case only (some servers lower-case local parts). A bounce sent there names its delivery
 * without guessing from its text, and a forged one fails the signature.
 */
export function createVerpAddresses(options: VerpOptions) {
  const at = options.bounceAddress.lastIndexOf('@');
  const local = options.bounceAddress.slice(0, at).toLowerCase();
  const domain = options.bounceAddress.slice(at + 1).toLowerCase();
  const [signing] = options.secrets;
  if (at < 1 || signing === undefined) {
    throw new Error(`Bounce address '${options.bounceAddress}' needs a local part and a key`);
  }
  const mac = (secret: string, id: string) =>
    createHmac('sha256', secret).update(`verp:${id}`).digest('hex').slice(0, macLength);

  return {
    /** The bounce domain, lower-cased. */
    domain,

    /** Envelope sender of one delivery: `bounces+2n9c-3f1a0b9c2d4e@news.example.org`. */
    returnPathFor(deliveryId: number): string {
      const id = deliveryId.toString(36);
      return `${local}+${id}-${mac(signing, id)}@${domain}`;
    },

    /** Reads an address: a signed delivery, a forged token, the bare bounce address, or another. */
    match(address: string): VerpMatch {
      const lower = address.trim().replace(/^<|>$/g, '').toLowerCase();
      const split = lower.lastIndexOf('@');
      if (split < 0 || lower.slice(split + 1) !== domain) return { kind: 'other' };
      const left = lower.slice(0, split);
      if (left === local) return { kind: 'plain' };
      if (!left.startsWith(`${local}+`)) return { kind: 'other' };
      const token = /^([0-9a-z]{1,12})-([0-9a-f]{12})$/.exec(left.slice(local.length + 1));
      if (!token) return { kind: 'forged' };
      const [, id = '', given = ''] = token;
      const isSigned = options.secrets.some((secret) =>
        timingSafeEqual(Buffer.from(mac(secret, id)), Buffer.from(given)),
      );
      const deliveryId = parseInt(id, 36);
      if (!isSigned || !Number.isSafeInteger(deliveryId) || deliveryId < 1) {
        return { kind: 'forged' };
      }
      return { kind: 'delivery', deliveryId };
    },
  };
}

/** See {@link createVerpAddresses}. */
export type VerpAddresses = ReturnType<typeof createVerpAddresses>;
