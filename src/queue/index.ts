export {
  assertRedisAnswers,
  closeRedisConnection,
  createCommandRedisConnection,
  createRedisConnection,
  createRequestRedisConnection,
  RedisUnavailableError,
} from './connection.ts';
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
  BatchRetryError,
  type DeliveryWorkerOptions,
  type DeliveryWorkers,
  startDeliveryWorkers,
} from './workers.ts';
