/** One message handed to a {@link MailTransport}: the SMTP envelope and the finished MIME bytes. */
export interface OutgoingMessage {
  /** Envelope sender (MAIL FROM), usually the newsletter's sender address. */
  from: string;
  /** Envelope recipient (RCPT TO); one recipient per message. */
  to: string;
  /** The complete RFC 5322 message, CRLF line endings. */
  raw: Buffer;
  /** Message-ID of `raw` without angle brackets, reported back in {@link SendResult}. */
  messageId?: string;
}

/**
 * What the relay said about one message. `accepted` means *submitted*: the relay took
 * responsibility for it, which is not proof of delivery.
 */
export interface SendResult {
  messageId: string;
  /** The relay's last reply, e.g. `250 2.0.0 Ok: queued as 4Bx…`. */
  response: string;
  accepted: boolean;
}

/**
 * The way Dépêche hands mail to the outside world, modelled on nodemailer's transport
 * (`name`, `send`) and listmonk's `Messenger`. The SMTP implementation is
 * `createSmtpTransport`; tests pass small fakes. `send` rejects with the underlying error
 * (classify it with `classifySmtpError`) when the message was not accepted, or with a
 * `MessageUncertainError` when it may have been (data sent, no final reply): never resend that one.
 */
export interface MailTransport {
  readonly name: string;
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Checks that the relay answers (and accepts the credentials). */
  verify?(): Promise<void>;
  /** Closes pooled connections; in-flight messages finish first. */
  close?(): Promise<void>;
}
