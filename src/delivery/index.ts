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
export {
  classifySmtpError,
  isConnectionError,
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
  type TestSender,
  type TestSenderDeps,
  type TestSendOutcome,
  type TestSendRequest,
  TestSendRequestSchema,
  type TestSendResult,
  testSendSubscriberId,
  testSubjectPrefix,
} from './test-send.ts';
