export {
  assertRedisAnswers,
  closeRedisConnection,
  createCommandRedisConnection,
  createRedisClient,
  createRedisConnection,
  createRequestRedisConnection,
  deleteKeysUnder,
  type RedisClient,
  type RedisClientOptions,
  type RedisClientRole,
  RedisUnavailableError,
} from './connection.ts';
export {
  type FanOutJob,
  fanOutJobId,
  FanOutJobSchema,
  type JobPayloads,
  QueueName,
  scheduledStartJobId,
  type SchedulerJob,
  SchedulerJobSchema,
  type SendBatchJob,
  sendBatchJobId,
  SendBatchJobSchema,
} from './contract.ts';
export {
  FEED_POLL_QUEUE,
  FEED_POLL_SCHEDULER_ID,
  type FeedPolling,
  type FeedPollingOptions,
  startFeedPolling,
} from './feed-polling.ts';
export {
  createDeliveryQueues,
  createQueueEnqueuer,
  type DeliveryJobOptions,
  type DeliveryQueues,
} from './queues.ts';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './rate-limiter.ts';
export {
  RETENTION_PATTERN,
  RETENTION_QUEUE,
  RETENTION_SCHEDULER_ID,
  type RetentionScheduleOptions,
  startRetentionSchedule,
} from './retention-schedule.ts';
export {
  openTransactionalQueue,
  startConfirmationWorker,
  startTransactionalWorker,
} from './transactional-worker.ts';
export {
  BatchRetryError,
  type DeliveryWorkerOptions,
  type DeliveryWorkers,
  startDeliveryWorkers,
} from './workers.ts';
