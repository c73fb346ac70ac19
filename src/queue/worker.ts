import {
  type ConnectionOptions,
  type JobsOptions,
  type Processor,
  type Queue,
  type RepeatOptions,
  Worker,
  type WorkerOptions,
} from 'bullmq';

import type { Logger } from '../lib/index.ts';
import type { QueueName } from './contract.ts';

/** What every worker registration of this folder returns. */
export interface RunningWorker {
  /** Stops taking jobs and waits for the ones in flight (then closes what it opened). */
  close(): Promise<void>;
}

/** Options of {@link registerWorker}. */
export interface QueueWorkerOptions {
  /** BullMQ connection (a client of `worker` role, or Redis options). */
  connection: ConnectionOptions;
  /** QUEUE_PREFIX. */
  prefix: string;
  /** Jobs of this queue this process runs at once. */
  concurrency: number;
  logger: Logger;
  /** `event` of the log line of a failed job, e.g. `campaign.job.failed`. */
  failedEvent: string;
  /** Message of that log line. @defaultValue 'job failed' */
  failedMessage?: string;
  /** A failure the job reports on purpose to be retried: not logged. */
  isExpectedFailure?: (error: Error) => boolean;
  /** Lock and stall settings of long jobs (BullMQ's defaults otherwise). */
  lock?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

/**
 * Registers the worker of one queue of the contract, the one way this folder does: the
 * processor, the queue's prefix and concurrency, and a log line per failed job and per worker
 * error (a worker without an `error` listener would crash the process on a lost connection).
 */
export function registerWorker<T>(
  queue: QueueName,
  processor: Processor<T>,
  options: QueueWorkerOptions,
): Worker<T> {
  const worker = new Worker<T>(queue, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...options.lock,
  });
  worker.on('failed', (job, error) => {
    if (options.isExpectedFailure?.(error)) return;
    options.logger.error(
      { queue, jobId: job?.id, err: error, event: options.failedEvent },
      options.failedMessage ?? 'job failed',
    );
  });
  worker.on('error', (error) => options.logger.error({ queue, err: error }, 'worker error'));
  return worker;
}

/** Options of {@link startScheduledJob}. */
export interface ScheduledJobOptions<T> {
  /** The job's queue, opened by queues.ts; closed by `close()`. */
  queue: Queue;
  /** Id of the job scheduler, the same in every process. */
  schedulerId: string;
  repeat: Omit<RepeatOptions, 'key'>;
  /** Name, payload and options of each job the scheduler emits. */
  job: { name: string; data: T; opts: JobsOptions };
  /** Runs one job; its rejection fails that job only. */
  run: Processor<T>;
  /** The worker's options; `connection` and `prefix` are those the queue was opened with. */
  worker: Omit<QueueWorkerOptions, 'concurrency'>;
}

/**
 * Starts a periodic job, safe to call from any number of worker processes: one BullMQ job
 * scheduler emits the jobs, whoever upserts it (upserting it again only updates its repeat),
 * and the queue's global concurrency of 1 with one job at a time per worker keeps two runs from
 * overlapping, even when a run lasts longer than the interval.
 */
export async function startScheduledJob<T>(
  options: ScheduledJobOptions<T>,
): Promise<RunningWorker> {
  const { queue } = options;
  await queue.setGlobalConcurrency(1);
  await queue.upsertJobScheduler(options.schedulerId, options.repeat, options.job);
  const worker = registerWorker(queue.name as QueueName, options.run, {
    ...options.worker,
    concurrency: 1,
  });
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
