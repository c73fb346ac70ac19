export { type App, type AppDeps, buildApp, retentionPolicyOf } from './build-app.ts';
export {
  buildBounceServices,
  readMailboxFromConfig,
  startInboundRuntime,
  startMailboxRuntime,
  verpFromConfig,
} from './build-bounces.ts';
export { buildDelivery, type Delivery, startDeliveryRuntime } from './build-delivery.ts';
export { buildFeedServices, type FeedServices } from './build-feeds.ts';
export { buildIssueReviewService } from './build-review.ts';
export { buildTestSender } from './build-test-sender.ts';
export { createResourceStack, type ResourceStack } from './resource-stack.ts';
export {
  openAll,
  openDatabase,
  openRedis,
  openTransactionalMail,
  withCommandRedis,
} from './resources.ts';
export { type ServeProcess, type ServeProcessOptions, startServeProcess } from './serve-process.ts';
export {
  closeOnShutdownSignal,
  exitIfStillAlive,
  type ShutdownOptions,
  waitForShutdownSignal,
} from './shutdown.ts';
export { startFeedPollerProcess, startWorkerProcess, startWorkers } from './worker-process.ts';
