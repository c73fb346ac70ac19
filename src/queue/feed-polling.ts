import type { ConnectionOptions } from 'bullmq';

import type { Logger } from '../lib/index.ts';
import { FEED_POLL_SCHEDULER_ID, FeedPollJobSchema } from './contract.ts';
import { feedPollJobOptions } from './job-options.ts';
import { openFeedPollQueue } from './queues.ts';
import { type RunningWorker, startScheduledJob } from './worker.ts';

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

/** What {@link startFeedPolling} started; `close()` waits for the poll in flight. */
export type FeedPolling = RunningWorker;

/**
 * Starts polling the feeds on a schedule, safe to call from any number of worker processes:
 * one job scheduler (id {@link FEED_POLL_SCHEDULER_ID}) emits one job per interval, and two
 * polls never run at once, even when a poll lasts longer than the interval (see
 * {@link startScheduledJob}). The job carries no data: the poll reads the newsletters' feed
 * lists itself.
 */
export async function startFeedPolling(options: FeedPollingOptions): Promise<FeedPolling> {
  const log = options.logger.child({ component: 'feed-polling' });
  const { connection, prefix } = options;
  const polling = await startScheduledJob({
    queue: openFeedPollQueue(connection, { QUEUE_PREFIX: prefix }),
    schedulerId: FEED_POLL_SCHEDULER_ID,
    repeat: { every: options.intervalSec * 1000 },
    job: { name: 'poll-feeds', data: {}, opts: feedPollJobOptions },
    run: async (job) => {
      FeedPollJobSchema.parse(job.data);
      log.info({ jobId: job.id }, 'feed poll started');
      await options.poll();
      log.info({ jobId: job.id }, 'feed poll finished');
    },
    worker: {
      connection,
      prefix,
      logger: log,
      failedEvent: 'feeds.poll.failed',
      failedMessage: 'feed poll failed',
    },
  });
  log.info({ intervalSec: options.intervalSec }, 'feed polling scheduled');
  return polling;
}
