import { type Job, type Processor, UnrecoverableError } from 'bullmq';

import { type CampaignService } from '../campaigns/index.ts';
import { AppError, type Logger } from '../lib/index.ts';
import { type BatchSender } from '../sending/index.ts';
import type { RedisClient } from './connection.ts';
import {
  FanOutJobSchema,
  QueueName,
  SchedulerJobSchema,
  SendBatchJobSchema,
  SWEEP_SCHEDULER_ID,
} from './contract.ts';
import type { DeliveryQueues } from './queues.ts';
import { type QueueWorkerOptions, registerWorker } from './worker.ts';

/** Options of {@link startDeliveryWorkers}. */
export interface DeliveryWorkerOptions {
  connection: RedisClient;
  /** QUEUE_PREFIX. */
  prefix: string;
  queues: DeliveryQueues;
  delivery: Pick<CampaignService, 'fanOut' | 'runScheduler'>;
  sender: BatchSender;
  logger: Logger;
  /**
   * SEND_CONCURRENCY: send jobs claiming rows at once in this process (the sender's
   * `maxSendingBatches`); the worker also holds one job waiting and the batches in their tail.
   */
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal; a killed worker's jobs are taken over by
   * another worker after about twice this. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** Period of the sweep that starts due scheduled campaigns. @defaultValue 60000 */
  schedulerEveryMs?: number;
}

/** Raised by a send job that gave rows back after transient failures, so BullMQ retries it. */
export class BatchRetryError extends AppError {
  constructor(message: string) {
    super('EBATCHRETRY', message);
  }
}

/** Errors no retry can fix (a missing campaign, a state that forbids the job) fail at once. */
function unrecoverable<T>(processor: (job: Job<T>) => Promise<unknown>): Processor<T> {
  return async (job) => {
    try {
      return await processor(job);
    } catch (error) {
      if (error instanceof AppError && ['ENOTFOUND', 'ECAMPAIGNSTATE'].includes(error.code)) {
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}

/**
 * Starts the fan-out, send and scheduler workers of this process and the periodic scheduler
 * sweep. `close()` stops taking jobs and waits for the jobs in flight: a batch being sent
 * finishes, the rest stays queued for any other worker.
 */
export async function startDeliveryWorkers(options: DeliveryWorkerOptions) {
  const log = options.logger.child({ component: 'workers' });
  const lockDuration = options.lockDurationMs ?? 30_000;
  const common: Omit<QueueWorkerOptions, 'concurrency'> = {
    connection: options.connection,
    prefix: options.prefix,
    logger: log,
    failedEvent: 'campaign.job.failed',
    isExpectedFailure: (error) => error instanceof BatchRetryError,
    lock: { lockDuration, stalledInterval: lockDuration, maxStalledCount: 10 },
  };
  const sendWorker = registerWorker(
    QueueName.sendBatch,
    unrecoverable(async (job: Job) => {
      const payload = SendBatchJobSchema.parse(job.data);
      const attempt = job.attemptsMade + 1;
      const result = await options.sender.sendBatch(payload, {
        attempt,
        isLastAttempt: attempt >= (job.opts.attempts ?? 1),
      });
      if (result.outcome === 'retry') {
        throw new BatchRetryError(
          `Batch ${payload.batchNo} of campaign ${payload.campaignId}: ${result.released} recipients wait for a retry after transient failures`,
        );
      }
      return result;
    }),
    { ...common, concurrency: options.concurrency + 1 },
  );
  // SEND_CONCURRENCY batches claim rows at once (the sender's batch slots); one more job waits
  // for a slot so the next batch starts the moment one is free, and a batch in its tail (every
  // row claimed, waiting for a slow reply) frees its slot without holding a job slot either.
  options.sender.onTailsChange((tails) => {
    sendWorker.concurrency = options.concurrency + 1 + tails;
  });
  const fanOutWorker = registerWorker(
    QueueName.fanOut,
    unrecoverable((job: Job) => options.delivery.fanOut(FanOutJobSchema.parse(job.data))),
    { ...common, concurrency: 1 },
  );
  const schedulerWorker = registerWorker(
    QueueName.scheduler,
    unrecoverable((job: Job) => options.delivery.runScheduler(SchedulerJobSchema.parse(job.data))),
    { ...common, concurrency: 1 },
  );
  const workers = [sendWorker, fanOutWorker, schedulerWorker];
  // The sweep (due scheduled campaigns, the watchdog of idle ones) is a job scheduler kept in
  // Redis: a Redis that lost its data (restarted without persistence, flushed, failed over to
  // an empty replica) loses it with every queued job. So every worker re-creates it on a timer
  // of its own and whenever its connection is ready again; upserting an existing one changes
  // nothing. The watchdog then enqueues again what the lost jobs were sending.
  const everyMs = options.schedulerEveryMs ?? 60_000;
  const ensureSweep = async () => {
    try {
      await options.queues.scheduler.upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { every: everyMs },
        { name: 'sweep', data: {} },
      );
    } catch (error) {
      log.warn({ err: error, event: 'campaign.sweep.schedule_failed' }, 'sweep not scheduled');
    }
  };
  await options.queues.scheduler.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: everyMs },
    { name: 'sweep', data: {} },
  );
  const sweepTimer = setInterval(() => void ensureSweep(), everyMs);
  sweepTimer.unref();
  const onReady = () => void ensureSweep();
  options.connection.on('ready', onReady);
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  log.info(
    { concurrency: options.concurrency, prefix: options.prefix },
    'delivery workers started',
  );
  return {
    workers,
    /** Stops taking jobs; running batches finish the messages in flight and give the rest back. */
    async close() {
      clearInterval(sweepTimer);
      options.connection.off('ready', onReady);
      options.sender.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      log.info({}, 'delivery workers stopped');
    },
  };
}

/** See {@link startDeliveryWorkers}. */
export type DeliveryWorkers = Awaited<ReturnType<typeof startDeliveryWorkers>>;
