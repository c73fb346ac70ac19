import { AppError, NotFoundError } from '../lib/index.ts';

/** No subscriber has this id or address (erased, or never subscribed). */
export class SubscriberNotFoundError extends NotFoundError {
  constructor(ref: string | number) {
    super(
      typeof ref === 'number'
        ? `Subscriber ${ref} does not exist (it may have been erased)`
        : `No subscriber has the address '${ref}'`,
    );
  }
}

/**
 * An operator tried to (re)subscribe an address that must not be made active: suppressed
 * (hard bounce, complaint, erased, manual — lifted with `--force`) or unsubscribed from that
 * newsletter (lifted only by the subscriber's own confirmed opt-in).
 */
export class SubscriberSuppressedError extends AppError {
  readonly reason: string;

  constructor(message: string, reason: string) {
    super('ESUPPRESSED', message);
    this.reason = reason;
  }
}
