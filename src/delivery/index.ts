export type { MailTransport, OutgoingMessage, SendResult } from './mail-transport.ts';
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
