export { createDemoPipeline, type DemoPipelineOptions } from './create-demo-pipeline.ts';
export {
  type DemoEnvironment,
  type DemoEnvironmentOptions,
  openDemoEnvironment,
} from './demo-environment.ts';
export { MissingPieceError } from './demo-feeds.ts';
export {
  type DemoFeedsManifest,
  DemoFeedsManifestSchema,
  loadFeedsManifest,
  type NewsletterSubscribers,
  prepareIssuesDir,
  splitSubscribers,
} from './demo-files.ts';
export type { DemoPipeline, DraftedIssue, RenderedIssueFiles } from './demo-pipeline.ts';
export { type DemoFeedServer, fillFeedDates, startFeedServer } from './feed-server.ts';
export { type DemoMailSink, startMailSink } from './mail-sink.ts';
export {
  type DemoRedis,
  findFreePort,
  isRedisAnswering,
  provideRedis,
  RedisUnavailableError,
} from './redis-provider.ts';
export { type DemoSummary, runDemo, type RunDemoOptions } from './run-demo.ts';
