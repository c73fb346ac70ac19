export {
  type Campaign,
  type CampaignAction,
  type CampaignBody,
  CampaignBodySchema,
  CampaignSchema,
  type CampaignStatus,
  CampaignStatusSchema,
  type CampaignTransition,
  decideScheduledStart,
  isErrorRateExceeded,
  isSendable,
  maxScheduleLatenessMs,
  type NewsletterSnapshot,
  NewsletterSnapshotSchema,
  planTransition,
} from './campaign.ts';
export {
  type ApprovalLookup,
  bodiesAsSent,
  CampaignRefusedError,
  gateFindings,
  type GateReport,
  type GateRequest,
  type IssueApproval,
} from './campaign-gate.ts';
export { type CampaignMessages, createCampaignMessages } from './campaign-messages.ts';
export {
  type CampaignReader,
  type CampaignReaderDeps,
  createCampaignReader,
  type FailureReply,
  topFailureCount,
} from './campaign-reader.ts';
export {
  type CampaignProgress,
  createDeliveryService,
  type CreateInput,
  type DeliveryEnqueuer,
  type DeliveryService,
  type DeliveryServiceDeps,
} from './delivery-service.ts';
export { CampaignNotFoundError, CampaignNotSendableError, SegmentInvalidError } from './errors.ts';
export {
  campaignLocales,
  contentHashOf,
  createIssuePreparer,
  createIssueSnapshotter,
  type IssueSnapshot,
  type IssueSnapshotterDeps,
  type PreparedIssue,
} from './issue-snapshot.ts';
export type { MailTransport, OutgoingMessage, SendResult } from './mail-transport.ts';
export {
  buildMessageTemplate,
  campaignMessageId,
  type MessageBody,
  type MessageNewsletter,
  type MessageRecipient,
  MessageRecipientSchema,
  type MessageTemplate,
  type MessageTemplateOptions,
  type RenderedMessage,
  renderMessage,
} from './message-template.ts';
export { fanOutPageSize, planBatches } from './plan-batches.ts';
export {
  type PreviewProblem,
  type PreviewProblemCode,
  previewProblems,
} from './preview-problems.ts';
export {
  createPreviewService,
  issueContentHash,
  type IssuePreview,
  type PreviewOptions,
  type PreviewService,
  type PreviewServiceDeps,
} from './preview-service.ts';
export {
  type ClaimResult,
  createProgressWriter,
  type ProgressWriter,
  type ProgressWriterDeps,
} from './progress-writer.ts';
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
} from './queue-contract.ts';
export {
  createRecipientLinks,
  type RecipientLinkBuilder,
  type RecipientLinks,
} from './recipient-links.ts';
export { describeSegment, parseSegment, type Segment, SegmentSchema } from './segment.ts';
export {
  type BatchAttempt,
  type BatchResult,
  type BatchSender,
  type BatchSenderDeps,
  type BatchSenderOptions,
  createBatchSender,
  type MessageRateLimiter,
} from './send-batch.ts';
export {
  buildSendingStatus,
  type DeliveryStatusCounts,
  describeStall,
  finishedCount,
  formatDuration,
  isSettled,
  type ProgressReading,
  type SendingStatus,
  SendingStatusSchema,
  speedWindowSec,
  stallAfterMs,
} from './sending-status.ts';
export {
  createSignInMailer,
  createSignInSender,
  type SignInJob,
  SignInJobSchema,
  type SignInRecipientSource,
  type SignInSender,
  type SignInSenderDeps,
} from './sign-in-mail.ts';
export {
  classifySmtpError,
  hasSmtpReply,
  isConnectionError,
  MessageUncertainError,
  type SmtpFailure,
  type SmtpFailureKind,
  SmtpFailureKindSchema,
  SmtpFailureSchema,
} from './smtp-errors.ts';
export {
  createSmtpTransport,
  type DkimOptions,
  dkimSignedHeaders,
  isRefusedConnection,
  type SmtpTransportOptions,
  smtpTransportOptionsFromConfig,
} from './smtp-transport.ts';
export {
  createTestSender,
  testCopyValues,
  type TestSender,
  type TestSenderDeps,
  type TestSendIssueRequest,
  type TestSendOutcome,
  type TestSendRequest,
  TestSendRequestSchema,
  type TestSendResult,
  testSendSubscriberId,
  testSubjectPrefix,
} from './test-send.ts';
export {
  CONFIRMATION_LINK_TTL_MS,
  type ConfirmationJob,
  confirmationJobId,
  ConfirmationJobSchema,
  type ConfirmationRecipientSource,
  type ConfirmationSender,
  type ConfirmationSenderDeps,
  createConfirmationMailer,
  createConfirmationSender,
  TRANSACTIONAL_QUEUE,
  transactionalProcessor,
} from './transactional-mail.ts';
