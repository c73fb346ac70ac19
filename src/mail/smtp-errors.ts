import { z } from 'zod';

import { AppError } from '../lib/index.ts';

/**
 * How a failed send should be handled:
 * - `transient`: connection errors and 4xx replies — retry later;
 * - `permanent`: a 5xx reply — record it with the reply, do not retry;
 * - `hard_bounce`: a synchronous 5.1.x reply to RCPT TO or DATA (e.g. `550 5.1.1 user unknown`) —
 *   the address does not exist: record it and suppress the address;
 * - `uncertain`: the message data went to the relay but no final reply came back (connection
 *   dropped, socket timeout): the relay may have stored it. Recorded `uncertain`, never resent
 *   on its own ({@link MessageUncertainError}).
 */
export const SmtpFailureKindSchema = z.enum(['transient', 'permanent', 'hard_bounce', 'uncertain']);
/** See {@link SmtpFailureKindSchema}. */
export type SmtpFailureKind = z.infer<typeof SmtpFailureKindSchema>;

/** A classified send failure: its kind, the relay's reply (or error message) and the reply code. */
export const SmtpFailureSchema = z.object({
  kind: SmtpFailureKindSchema,
  /** The SMTP reply line, or the error message when there was no reply. At most 500 characters. */
  reply: z.string().max(500),
  /** The SMTP reply code, or null when the connection failed before a reply. */
  code: z.number().int().nullable(),
});
/** See {@link SmtpFailureSchema}. */
export type SmtpFailure = z.infer<typeof SmtpFailureSchema>;

/**
 * Thrown by the SMTP transport when the message data was handed to the relay (after its `354`
 * reply to DATA) and the conversation ended without a final reply: the relay may have stored
 * the message, so sending it again may deliver it twice. `cause` is nodemailer's error.
 */
export class MessageUncertainError extends AppError {
  constructor(cause: unknown) {
    super(
      'EUNCERTAIN',
      `message data sent, no final reply from the relay: ${describeError(cause)}`,
      {
        cause,
      },
    );
  }
}

/** True when `error` carries an SMTP reply code (a 4xx/5xx answer of the relay). */
export function hasSmtpReply(error: unknown): boolean {
  return replyCodeOf(asShape(error)) !== undefined;
}

/** nodemailer error codes meaning "the relay could not be reached or the connection broke". */
const connectionErrorCodes = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

interface ErrorShape {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  rejectedErrors?: unknown;
}

/**
 * True when `error` means the relay refused or lost the connection (no SMTP reply to a
 * command), so another relay may be tried. A 4xx/5xx reply is never a connection error.
 */
export function isConnectionError(error: unknown): boolean {
  const shape = asShape(error);
  if (typeof replyCodeOf(shape) === 'number') return false;
  return [shape.code, shape.originalCode].some(
    (code) => typeof code === 'string' && connectionErrorCodes.has(code),
  );
}

/**
 * Classifies an error thrown by a {@link MailTransport} (nodemailer's error shapes:
 * `code`, `responseCode`, `response`, `rejectedErrors`). Anything unknown without a reply code is
 * treated as transient, so it is retried rather than lost.
 */
export function classifySmtpError(error: unknown): SmtpFailure {
  if (error instanceof MessageUncertainError) {
    return { kind: 'uncertain', reply: truncate(error.message), code: null };
  }
  const shape = asShape(error);
  const code = replyCodeOf(shape);
  const reply = truncate(replyTextOf(shape));
  if (code === undefined) return { kind: 'transient', reply, code: null };
  if (code >= 400 && code < 500) return { kind: 'transient', reply, code };
  if (code >= 500 && code < 600) {
    return { kind: isAddressFailure(reply) ? 'hard_bounce' : 'permanent', reply, code };
  }
  return { kind: 'transient', reply, code };
}

/** RFC 3463 5.1.x: bad destination mailbox/system address (5.1.0–5.1.10). */
function isAddressFailure(reply: string): boolean {
  return /^\d{3}[ -]5\.1\.\d{1,3}\b/.test(reply);
}

function asShape(error: unknown): ErrorShape {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const shape = error as ErrorShape;
  // EENVELOPE with a single rejected recipient: the recipient's own error carries the reply.
  const rejected = Array.isArray(shape.rejectedErrors) ? (shape.rejectedErrors as unknown[]) : [];
  const first = rejected[0] as ErrorShape | undefined;
  if (typeof shape.responseCode !== 'number' && first !== undefined) return first;
  return shape;
}

function replyCodeOf(shape: ErrorShape): number | undefined {
  if (typeof shape.responseCode === 'number' && shape.responseCode > 0) return shape.responseCode;
  if (typeof shape.response === 'string') {
    const match = /^([2-5]\d\d)\b/.exec(shape.response);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}

function replyTextOf(shape: ErrorShape): string {
  if (typeof shape.response === 'string' && shape.response !== '') return shape.response.trim();
  const code = typeof shape.code === 'string' ? `${shape.code}: ` : '';
  return `${code}${typeof shape.message === 'string' ? shape.message : 'unknown error'}`;
}

function describeError(error: unknown): string {
  return replyTextOf(asShape(error));
}

function truncate(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 497)}...`;
}
