export {
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
  type DeliveryBounceMark,
  type DeliveryRef,
  type MatchedBy,
  MatchedBySchema,
  type NewBounceEvent,
  NewBounceEventSchema,
  type RecipientActions,
} from './ports.ts';
export {
  createVerpAddresses,
  type VerpAddresses,
  type VerpMatch,
  type VerpOptions,
} from './verp.ts';
