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
  createRecipientLinks,
  type RecipientLinkBuilder,
  type RecipientLinks,
} from './recipient-links.ts';
export {
  createSignInMailer,
  createSignInSender,
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
  type ConfirmationRecipientSource,
  type ConfirmationSender,
  type ConfirmationSenderDeps,
  createConfirmationMailer,
  createConfirmationSender,
} from './transactional-mail.ts';
