import type { JobsOptions } from 'bullmq';

import type { Config } from '../config/index.ts';

/** Retry settings of the jobs that send mail (SEND_ATTEMPTS, SEND_RETRY_DELAY_MS). */
export interface DeliveryJobOptions {
  /** Attempts of a job before it is given up. */
  attempts: number;
  /** First retry delay, doubled at each attempt (exponential backoff). */
  retryDelayMs: number;
  /** Failed jobs kept for inspection; older ones are removed. @defaultValue 1000 */
  keepFailed?: number;
}

/** The retry settings of the configuration, for {@link mailJobOptions}. */
export function deliveryJobOptionsOf(
  config: Pick<Config, 'SEND_ATTEMPTS' | 'SEND_RETRY_DELAY_MS'>,
): DeliveryJobOptions {
  return { attempts: config.SEND_ATTEMPTS, retryDelayMs: config.SEND_RETRY_DELAY_MS };
}

/**
 * Default job options of the queues that send mail: the delivery queues (fan-out, send batches,
 * scheduler) and `transactional`. Completed jobs are removed at once and failed ones kept up to
 * `keepFailed`, so Redis memory stays bounded whatever the size of the list.
 */
export function mailJobOptions(options: DeliveryJobOptions): JobsOptions {
  return {
    attempts: options.attempts,
    backoff: { type: 'exponential', delay: options.retryDelayMs },
    removeOnComplete: true,
    removeOnFail: { count: options.keepFailed ?? 1000 },
  };
}

/** Options of the feed poll jobs: a failed poll is not retried, the next interval polls again. */
export const feedPollJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: 50,
  removeOnFail: 50,
};

/**
 * Options of the daily retention job: a few retries a minute or more apart (a database restart),
 * then the next day runs again.
 */
export const retentionJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: 30,
  removeOnFail: 30,
};
