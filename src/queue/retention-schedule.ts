import { type ConnectionOptions, Queue, Worker } from 'bullmq';

import type { Logger } from '../lib/index.ts';

/** Name of the queue of the daily retention job. */
export const RETENTION_QUEUE = 'retention';
/** Id of the one job scheduler of the retention job, shared by every worker process. */
export const RETENTION_SCHEDULER_ID = 'apply-retention';
/** Every day at 03:17 UTC, away from the top of the hour when scheduled campaigns start. */
export const RETENTION_PATTERN = '17 3 * * *';

/** Options of {@link startRetentionSchedule}. */
export interface RetentionScheduleOptions {
  connection: ConnectionOptions;
  /** QUEUE_PREFIX. */
  prefix: string;
  /** One retention run; its rejection fails that day's job only (the next day runs again). */
  run: () => Promise<unknown>;
  logger: Logger;
  /** Cron pattern, UTC. @defaultValue {@link RETENTION_PATTERN} */
  pattern?: string;
}

/**
 * Runs the retention job once a day, whichever worker processes are up: one BullMQ job
 * scheduler emits the day's job (upserting it again changes nothing), and the queue's global
 * concurrency of 1 keeps two runs from overlapping.
 */
export async function startRetentionSchedule(
  options: RetentionScheduleOptions,
): Promise<{ close(): Promise<void> }> {
  const log = options.logger.child({ component: 'retention' });
  const queue = new Queue(RETENTION_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
  });
  await queue.setGlobalConcurrency(1);
  await queue.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { pattern: options.pattern ?? RETENTION_PATTERN, tz: 'UTC' },
    {
      name: 'apply-retention',
      data: {},
      opts: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: 30,
        removeOnFail: 30,
      },
    },
  );
  const worker = new Worker(RETENTION_QUEUE, async () => options.run(), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, error) =>
    log.error({ event: 'retention.failed', jobId: job?.id, err: error }, 'retention job failed'),
  );
  worker.on('error', (error) => log.error({ err: error }, 'retention worker error'));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
