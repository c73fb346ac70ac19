import { type ConnectionOptions, Queue } from 'bullmq';

import type { Config } from '../config/index.ts';
import type { RedisClient } from './connection.ts';
import { type JobPayloads, QueueName } from './contract.ts';
import { type DeliveryJobOptions, deliveryJobOptionsOf, mailJobOptions } from './job-options.ts';

// Every BullMQ queue of Dépêche is opened here, under QUEUE_PREFIX (a Redis Cluster hash tag),
// with its default job options from job-options.ts.

/** The delivery queues, one BullMQ `Queue` per delivery {@link QueueName}. */
export interface DeliveryQueues {
  fanOut: Queue<JobPayloads[typeof QueueName.fanOut]>;
  sendBatch: Queue<JobPayloads[typeof QueueName.sendBatch]>;
  scheduler: Queue<JobPayloads[typeof QueueName.scheduler]>;
  /** The queues as a list (for the dashboard and cleanup). */
  all: Queue[];
  /** The connection the queues were opened on (for the enqueuer's generation counter). */
  connection: RedisClient;
  close(): Promise<void>;
}

/**
 * Opens the delivery queues on `connection` under `prefix` (QUEUE_PREFIX), their jobs retried
 * as `options` says (see {@link mailJobOptions}).
 */
export function createDeliveryQueues(
  connection: RedisClient,
  prefix: string,
  options: DeliveryJobOptions,
): DeliveryQueues {
  const defaultJobOptions = mailJobOptions(options);
  const make = <T>(name: string) => new Queue<T>(name, { connection, prefix, defaultJobOptions });
  const fanOut = make<JobPayloads[typeof QueueName.fanOut]>(QueueName.fanOut);
  const sendBatch = make<JobPayloads[typeof QueueName.sendBatch]>(QueueName.sendBatch);
  const scheduler = make<JobPayloads[typeof QueueName.scheduler]>(QueueName.scheduler);
  const all = [fanOut, sendBatch, scheduler] as Queue[];
  return {
    fanOut,
    sendBatch,
    scheduler,
    all,
    connection,
    async close() {
      await Promise.all(all.map((queue) => queue.close()));
    },
  };
}

/**
 * Opens the `transactional` queue the pages and the workspace put their one-recipient messages
 * on; its jobs are retried as the send jobs are (SEND_ATTEMPTS, SEND_RETRY_DELAY_MS).
 */
export function openTransactionalQueue(
  connection: RedisClient,
  config: Pick<Config, 'QUEUE_PREFIX' | 'SEND_ATTEMPTS' | 'SEND_RETRY_DELAY_MS'>,
): Queue {
  return new Queue(QueueName.transactional, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: mailJobOptions(deliveryJobOptionsOf(config)),
  });
}

/**
 * Opens the `feed-poll` queue: by the feed polling of a worker, and by the pages that show and
 * count it whichever process runs its worker. Its jobs come from one job scheduler, with their
 * own options.
 */
export function openFeedPollQueue(
  connection: ConnectionOptions,
  config: Pick<Config, 'QUEUE_PREFIX'>,
): Queue<JobPayloads[typeof QueueName.feedPoll]> {
  return new Queue(QueueName.feedPoll, { connection, prefix: config.QUEUE_PREFIX });
}

/** Opens the `retention` queue; its jobs come from one job scheduler, with their own options. */
export function openRetentionQueue(
  connection: ConnectionOptions,
  config: Pick<Config, 'QUEUE_PREFIX'>,
): Queue<JobPayloads[typeof QueueName.retention]> {
  return new Queue(QueueName.retention, { connection, prefix: config.QUEUE_PREFIX });
}
