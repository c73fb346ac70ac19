export {
  type BounceSummary,
  bounceSummaryLines,
  complaintRateWarning,
  summarizeBounces,
} from './bounce-rates.ts';
export {
  type BounceBatchOptions,
  type BounceService,
  type BounceServiceDeps,
  type BounceServiceOptions,
  createBounceService,
  type InboundInput,
  type ProcessResult,
} from './bounce-service.ts';
export {
  type BounceKind,
  BounceKindSchema,
  classifyStatus,
  findStatusCode,
} from './classify-status.ts';
export {
  type ImapMailboxTarget,
  imapTargetFromUrl,
  type MailboxReadResult,
  readMailboxOnce,
  startMailboxPolling,
} from './imap-mailbox.ts';
export {
  type InboundSmtpOptions,
  type InboundSmtpServer,
  startInboundSmtpServer,
} from './inbound-smtp-server.ts';
export {
  type BouncedRecipient,
  type InboundMessage,
  maxInboundBytes,
  parseInbound,
  type ReturnedHeaders,
} from './parse-inbound.ts';
export {
  type BounceEventKind,
  BounceEventKindSchema,
  type BounceStore,
  type BounceTransaction,
  type DeliveryBounceMark,
  type DeliveryRef,
  type MatchedBy,
  MatchedBySchema,
  type NewBounceEvent,
  NewBounceEventSchema,
  type RecipientActions,
  type WebhookTokenStore,
} from './ports.ts';
export { type ProviderEvent, ProviderEventSchema } from './provider-event.ts';
export { isSnsUrl, type SnsDeps, snsStringToSign, verifySesSns } from './ses-sns-webhook.ts';
export { createSnsFetcher } from './sns-fetcher.ts';
export {
  createVerpAddresses,
  type VerpAddresses,
  type VerpMatch,
  type VerpOptions,
} from './verp.ts';
export {
  defaultWebhookMaxAgeSec,
  isFreshTimestamp,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  type WebhookRefusal,
  type WebhookRequest,
  type WebhookVerdict,
} from './webhook-providers.ts';
