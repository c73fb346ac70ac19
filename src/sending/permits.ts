/** Messages per second and per hour shared by every worker (a Redis token bucket in production). */
export interface MessageRateLimiter {
  /** Waits until at least one message may go; returns how many (1…`count`) were granted. */
  acquire(count: number): Promise<number>;
}

/** Tokens asked of the rate limiter at most at once. */
const maxPermitRequest = 50;

/**
 * The rate-limit tokens of one batch, shared by its lanes. One request for tokens is in flight at
 * a time: tokens come in groups (one Redis call per group, not per message), and a batch never
 * holds many more than it can use (`wanted()`, the messages it has left to send).
 */
export function createPermits(limiter: MessageRateLimiter, wanted: () => number) {
  let available = 0;
  let pending: Promise<void> | undefined;
  return {
    /** Waits for one token and takes it. */
    async take(): Promise<void> {
      while (available === 0) {
        pending ??= limiter
          .acquire(Math.min(wanted(), maxPermitRequest))
          .then((granted) => {
            available += granted;
          })
          .finally(() => {
            pending = undefined;
          });
        await pending;
      }
      available -= 1;
    },
    /** Gives back a token that sent no message (its row was taken by another attempt). */
    giveBack(): void {
      available += 1;
    },
  };
}

/** See {@link createPermits}. */
export type Permits = ReturnType<typeof createPermits>;
