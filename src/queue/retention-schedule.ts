import type { ConnectionOptions } from 'bullmq';

import type { Logger } from '../lib/index.ts';
import { RETENTION_PATTERN, RETENTION_SCHEDULER_ID, RetentionJobSchema } from './contract.ts';
import { retentionJobOptions } from './job-options.ts';
import { openRetentionQueue } from './queues.ts';
import { type RunningWorker, startScheduledJob } from './worker.ts';

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
 * Runs the retention job once a day, whichever worker processes are up: one job scheduler
 * (id {@link RETENTION_SCHEDULER_ID}) emits the day's job, and two runs never overlap (see
 * {@link startScheduledJob}).
 */
export function startRetentionSchedule(options: RetentionScheduleOptions): Promise<RunningWorker> {
  const log = options.logger.child({ component: 'retention' });
  const { connection, prefix } = options;
  return startScheduledJob({
    queue: openRetentionQueue(connection, { QUEUE_PREFIX: prefix }),
    schedulerId: RETENTION_SCHEDULER_ID,
    repeat: { pattern: options.pattern ?? RETENTION_PATTERN, tz: 'UTC' },
    job: { name: 'apply-retention', data: {}, opts: retentionJobOptions },
    run: async (job) => {
      RetentionJobSchema.parse(job.data);
      return options.run();
    },
    worker: {
      connection,
      prefix,
      logger: log,
      failedEvent: 'retention.failed',
      failedMessage: 'retention job failed',
    },
  });
}
