import { type ConnectionOptions, Queue, Worker } from 'bullmq';

import type { Logger } from '../lib/index.ts';

/** Name of the queue that carries the feed polling jobs. */
export const FEED_POLL_QUEUE = 'feed-poll';
/** Id of the one job scheduler that polls the feeds, shared by every worker process. */
export const FEED_POLL_SCHEDULER_ID = 'poll-feeds';

/** Options of {@link startFeedPolling}. */
export interface FeedPollingOptions {
  /** BullMQ connection (Redis options or client). */
  connection: ConnectionOptions;
  /** Queue key prefix (QUEUE_PREFIX), `{depeche}` in production. */
  prefix: string;
  /** Interval between polls (FEED_POLL_INTERVAL_SEC). */
  intervalSec: number;
  /** One poll of every feed; its rejection fails that job only. */
  poll: () => Promise<unknown>;
  logger: Logger;
}

/** What {@link startFeedPolling} started. */
export interface FeedPolling {
  /** Stops taking poll jobs, waits for the one in flight, closes the connections. */
  close(): Promise<void>;
}

/**
 * Starts polling the feeds on a schedule, safe to call from any number of worker processes:
 *
 * - one BullMQ job scheduler (id {@link FEED_POLL_SCHEDULER_ID}) emits one job per interval,
 *   whoever upserts it (upserting again only updates the interval);
 * - the queue's global concurrency is 1 and each worker takes one job at a time, so two polls
 *   never run at once, even when a poll lasts longer than the interval;
 * - the job carries no data: the poll reads the newsletters' feed lists itself.
 */
export async function startFeedPolling(options: FeedPollingOptions): Promise<FeedPolling> {
  const log = options.logger.child({ component: 'feed-polling' });
  const queue = new Queue(FEED_POLL_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
  });
  await queue.setGlobalConcurrency(1);
  await queue.upsertJobScheduler(
    FEED_POLL_SCHEDULER_ID,
    { every: options.intervalSec * 1000 },
    {
      name: 'poll-feeds',
      data: {},
      opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 50 },
    },
  );
  const worker = new Worker(
    FEED_POLL_QUEUE,
    async (job) => {
      log.info({ jobId: job.id }, 'feed poll started');
      await options.poll();
      log.info({ jobId: job.id }, 'feed poll finished');
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => {
    log.error({ event: 'feeds.poll.failed', jobId: job?.id, err: error }, 'feed poll failed');
  });
  worker.on('error', (error) => log.error({ err: error }, 'feed polling worker error'));
  log.info({ intervalSec: options.intervalSec }, 'feed polling scheduled');
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
