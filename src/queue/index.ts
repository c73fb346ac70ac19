export { createQueueEnqueuer } from './campaign-enqueuer.ts';
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
  type ConfirmationJob,
  confirmationJobId,
  ConfirmationJobSchema,
  confirmationReminderJobId,
  type FanOutJob,
  fanOutJobId,
  FanOutJobSchema,
  FEED_POLL_QUEUE,
  FEED_POLL_SCHEDULER_ID,
  type FeedPollJob,
  FeedPollJobSchema,
  type JobPayloads,
  type JobQueuePort,
  QueueName,
  RETENTION_PATTERN,
  RETENTION_QUEUE,
  RETENTION_SCHEDULER_ID,
  type RetentionJob,
  RetentionJobSchema,
  scheduledStartJobId,
  type SchedulerJob,
  SchedulerJobSchema,
  type SendBatchJob,
  sendBatchJobId,
  SendBatchJobSchema,
  type SignInJob,
  signInJobId,
  SignInJobSchema,
  SWEEP_SCHEDULER_ID,
  TRANSACTIONAL_QUEUE,
  type TransactionalJob,
} from './contract.ts';
export {
  BatchRetryError,
  type DeliveryWorkerOptions,
  type DeliveryWorkers,
  startDeliveryWorkers,
} from './delivery-workers.ts';
export { type FeedPolling, type FeedPollingOptions, startFeedPolling } from './feed-polling.ts';
export {
  type DeliveryJobOptions,
  deliveryJobOptionsOf,
  feedPollJobOptions,
  mailJobOptions,
  retentionJobOptions,
} from './job-options.ts';
export {
  createDeliveryQueues,
  type DeliveryQueues,
  openFeedPollQueue,
  openRetentionQueue,
  openTransactionalQueue,
} from './queues.ts';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './rate-limiter.ts';
export { type RetentionScheduleOptions, startRetentionSchedule } from './retention-schedule.ts';
export { startConfirmationWorker, startTransactionalWorker } from './transactional-worker.ts';
export { type RunningWorker } from './worker.ts';
