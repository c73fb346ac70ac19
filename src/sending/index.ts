export {
  type BatchAttempt,
  type BatchResult,
  type BatchSender,
  type BatchSenderDeps,
  type BatchSenderOptions,
  createBatchSender,
  type MessageRateLimiter,
} from './batch-sender.ts';
export { type CampaignMessages, createCampaignMessages } from './campaign-messages.ts';
export {
  type ClaimResult,
  createProgressWriter,
  type ProgressWriter,
  type ProgressWriterDeps,
} from './progress-writer.ts';
