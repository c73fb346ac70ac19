import { AppError } from '../lib/index.ts';

/** Why a feed could not be fetched or read; stored with the feed's health. */
export type FeedFailureReason =
  | 'unsupported-scheme'
  | 'invalid-url'
  | 'forbidden-address'
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'http-status'
  | 'network'
  | 'empty'
  | 'entity-declaration'
  | 'malformed'
  | 'not-a-feed';

/**
 * A feed could not be fetched: bad URL or scheme, an address feeds may not be fetched from,
 * network error, timeout, HTTP error status, too many redirects, body over the size limit.
 */
export class FeedUnreachableError extends AppError {
  readonly reason: FeedFailureReason;

  constructor(reason: FeedFailureReason, message: string, options?: { cause?: unknown }) {
    super('EFEEDUNREACHABLE', message, options);
    this.reason = reason;
  }
}

/** A feed answered with something that is not a readable RSS or Atom document. */
export class FeedInvalidError extends AppError {
  readonly reason: FeedFailureReason;

  constructor(reason: FeedFailureReason, message: string, options?: { cause?: unknown }) {
    super('EFEEDINVALID', message, options);
    this.reason = reason;
  }
}
