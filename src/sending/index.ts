export { type BatchAttempt, type BatchResult } from './batch-run.ts';
export {
  type BatchSender,
  type BatchSenderDeps,
  type BatchSenderOptions,
  createBatchSender,
} from './batch-sender.ts';
export { type CampaignMessages, createCampaignMessages } from './campaign-messages.ts';
export { type MessageRateLimiter } from './permits.ts';
export {
  type ClaimResult,
  createProgressWriter,
  type ProgressWriter,
  type ProgressWriterDeps,
} from './progress-writer.ts';
