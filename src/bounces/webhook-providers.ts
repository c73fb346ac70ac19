import { createHmac, timingSafeEqual, verify } from 'node:crypto';

import { z } from 'zod';

import { findStatusCode } from './classify-status.ts';
import type { ProviderEvent } from './provider-event.ts';

/** A webhook request as the verifiers need it: headers, the exact bytes of the body, its time. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** When it arrived: signed timestamps and certificates are judged at this time. */
  receivedAt: Date;
}

/**
 * Why a request is refused: `malformed` answers 400, the others 401 (`stale`: a signed timestamp
 * too old or too far ahead; `replayed`: a Mailgun token already taken with another body).
 */
export type WebhookRefusal = 'signature' | 'stale' | 'replayed' | 'malformed';

/** What a verifier says: the events of a genuine request, or why it is refused. */
export type WebhookVerdict =
  | {
      isGenuine: true;
      events: ProviderEvent[];
      /** A signed token that does not cover the body (Mailgun's): to be taken once per body. */
      token?: string;
    }
  | { isGenuine: false; reason: WebhookRefusal; detail: string };

/** Oldest signed timestamp accepted by default, in seconds (WEBHOOK_MAX_AGE_SEC). */
export const defaultWebhookMaxAgeSec = 3600;

/**
 * True when `seconds` (a signed timestamp, seconds since 1970) is within `maxAgeSec` of
 * `now`, either way (a little ahead is clock skew).
 */
export function isFreshTimestamp(seconds: string, now: Date, maxAgeSec: number): boolean {
  if (!/^\d{1,12}$/.test(seconds)) return false;
  return Math.abs(now.getTime() / 1000 - Number(seconds)) <= maxAgeSec;
}

const header = (request: WebhookRequest, name: string) => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};
const equalText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const refuse = (reason: WebhookRefusal, detail: string): WebhookVerdict => ({
  isGenuine: false,
  reason,
  detail,
});
const parseJson = (raw: Buffer): unknown => {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
};
const text = (max: number) => z.string().max(max);
const bracketless = (value: string | undefined) => value?.replace(/[<>\s]/g, '') || undefined;
const describeIssues = (error: z.ZodError) =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');

const MailgunSignatureSchema = z.object({
  signature: z.object({ timestamp: text(20), token: text(200), signature: text(128) }),
});

const MailgunSchema = z.object({
  'event-data': z.object({
    id: text(200),
    event: text(50),
    severity: text(20).optional(),
    recipient: text(254).optional(),
    reason: text(100).optional(),
    message: z
      .object({ headers: z.object({ 'message-id': text(300).optional() }).partial() })
      .partial()
      .optional(),
    'delivery-status': z
      .object({
        code: z.union([z.number(), z.string()]).optional(),
        message: text(2000).optional(),
        description: text(2000).optional(),
        'enhanced-code': text(20).optional(),
      })
      .partial()
      .optional(),
  }),
});

/**
 * Mailgun (webhooks with a JSON body): the signature is the hex HMAC-SHA256 of `timestamp` and
 * `token` with the webhook signing key; a timestamp more than `maxAgeSec` away is stale. The
 * signature does not cover the body, so the verdict carries the token, for the caller to take
 * once per body. `failed` (permanent or temporary) is a bounce, `complained` a complaint; other
 * events are accepted and ignored.
 */
export function verifyMailgun(
  request: WebhookRequest,
  signingKey: string,
  maxAgeSec = defaultWebhookMaxAgeSec,
): WebhookVerdict {
  const body = parseJson(request.rawBody);
  if (body === undefined) return refuse('malformed', 'body: expected JSON');
  const signed = MailgunSignatureSchema.safeParse(body);
  if (!signed.success) return refuse('signature', 'Mailgun signature missing');
  const { signature } = signed.data;
  const expected = createHmac('sha256', signingKey)
    .update(signature.timestamp + signature.token)
    .digest('hex');
  if (!equalText(expected, signature.signature.toLowerCase())) {
    return refuse('signature', 'Mailgun signature does not match MAILGUN_WEBHOOK_SIGNING_KEY');
  }
  if (!isFreshTimestamp(signature.timestamp, request.receivedAt, maxAgeSec)) {
    return refuse('stale', 'Mailgun timestamp is older than WEBHOOK_MAX_AGE_SEC (or as far ahead)');
  }
  const parsed = MailgunSchema.safeParse(body);
  if (!parsed.success) return refuse('malformed', describeIssues(parsed.error));
  const { 'event-data': data } = parsed.data;
  const token = signature.token;
  if (data.event !== 'failed' && data.event !== 'complained') {
    return { isGenuine: true, events: [], token };
  }
  const status = data['delivery-status'];
  const diagnostic = [status?.message, status?.description].filter(Boolean).join(' ').trim();
  return {
    isGenuine: true,
    token,
    events: [
      {
        fingerprint: `mailgun:${data.id}`,
        source: 'mailgun',
        kind: data.event === 'failed' ? 'bounce' : 'complaint',
        email: data.recipient,
        status: status?.['enhanced-code'] ?? findStatusCode(diagnostic),
        diagnostic: diagnostic === '' ? undefined : diagnostic.slice(0, 1000),
        messageId: bracketless(data.message?.headers?.['message-id']),
        class:
          data.severity === 'temporary' ? 'soft' : data.event === 'failed' ? 'hard' : undefined,
      },
    ],
  };
}

const SendgridEventSchema = z.object({
  email: text(254).optional(),
  event: text(50),
  sg_event_id: text(200),
  'smtp-id': text(300).optional(),
  status: text(20).optional(),
  reason: text(2000).optional(),
  type: text(50).optional(),
});

/**
 * SendGrid (signed event webhook): the signature header is an ECDSA (P-256, SHA-256) signature
 * of the timestamp header followed by the raw body, checked with the webhook's public key (base64
 * DER, as SendGrid shows it); a timestamp more than `maxAgeSec` away is stale. `bounce` is a bounce (`blocked` ones are policy unless the status
 * says otherwise), `spamreport` a complaint; other events are accepted and ignored.
 */
export function verifySendgrid(
  request: WebhookRequest,
  publicKey: string,
  maxAgeSec = defaultWebhookMaxAgeSec,
): WebhookVerdict {
  const signature = header(request, 'x-twilio-email-event-webhook-signature');
  const timestamp = header(request, 'x-twilio-email-event-webhook-timestamp');
  if (!signature || !timestamp) return refuse('signature', 'SendGrid signature headers missing');
  let isValid: boolean;
  try {
    isValid = verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp), request.rawBody]),
      { key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    // a public key or signature that is not valid base64 DER
    isValid = false;
  }
  if (!isValid) {
    return refuse('signature', 'SendGrid signature does not match SENDGRID_WEBHOOK_PUBLIC_KEY');
  }
  if (!isFreshTimestamp(timestamp, request.receivedAt, maxAgeSec)) {
    return refuse(
      'stale',
      'SendGrid timestamp is older than WEBHOOK_MAX_AGE_SEC (or as far ahead)',
    );
  }
  const parsed = z.array(SendgridEventSchema).max(10_000).safeParse(parseJson(request.rawBody));
  if (!parsed.success) return refuse('malformed', describeIssues(parsed.error));
  const events: ProviderEvent[] = [];
  for (const event of parsed.data) {
    if (event.event !== 'bounce' && event.event !== 'spamreport') continue;
    events.push({
      fingerprint: `sendgrid:${event.sg_event_id}`,
      source: 'sendgrid',
      kind: event.event === 'bounce' ? 'bounce' : 'complaint',
      email: event.email,
      status: event.status ?? findStatusCode(event.reason ?? ''),
      diagnostic: event.reason?.slice(0, 1000),
      messageId: bracketless(event['smtp-id']),
      class: event.event === 'bounce' ? (event.type === 'blocked' ? 'policy' : 'hard') : undefined,
    });
  }
  return { isGenuine: true, events };
}

const PostmarkSchema = z.object({
  RecordType: text(50),
  ID: z.union([z.number(), z.string()]),
  Type: text(50).optional(),
  Email: text(254).optional(),
  Details: text(2000).optional(),
  Description: text(2000).optional(),
});

const postmarkClasses: Record<string, 'hard' | 'soft' | 'policy'> = {
  HardBounce: 'hard',
  BadEmailAddress: 'hard',
  ManuallyDeactivated: 'hard',
  SoftBounce: 'soft',
  Transient: 'soft',
  DnsError: 'soft',
  Blocked: 'policy',
};

/**
 * Postmark (bounce and spam complaint webhooks, which Postmark does not sign): the webhook URL
 * carries HTTP basic credentials whose password must be POSTMARK_WEBHOOK_PASSWORD. `Bounce`
 * records are bounces (class from their `Type`), `SpamComplaint` ones complaints.
 */
export function verifyPostmark(request: WebhookRequest, password: string): WebhookVerdict {
  const authorization = header(request, 'authorization') ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(authorization);
  const given = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : '';
  const givenPassword = given.slice(given.indexOf(':') + 1);
  if (!match || !given.includes(':') || !equalText(givenPassword, password)) {
    return refuse('signature', 'Postmark credentials do not match POSTMARK_WEBHOOK_PASSWORD');
  }
  const parsed = PostmarkSchema.safeParse(parseJson(request.rawBody));
  if (!parsed.success) return refuse('malformed', describeIssues(parsed.error));
  const record = parsed.data;
  const isComplaint = record.RecordType === 'SpamComplaint' || record.Type === 'SpamComplaint';
  const klass = record.Type === undefined ? undefined : postmarkClasses[record.Type];
  if (!isComplaint && (record.RecordType !== 'Bounce' || klass === undefined)) {
    return { isGenuine: true, events: [] };
  }
  const diagnostic = [record.Description, record.Details].filter(Boolean).join(' ').trim();
  return {
    isGenuine: true,
    events: [
      {
        fingerprint: `postmark:${record.RecordType}:${record.ID}`,
        source: 'postmark',
        kind: isComplaint ? 'complaint' : 'bounce',
        email: record.Email,
        status: findStatusCode(record.Details ?? ''),
        diagnostic: diagnostic === '' ? undefined : diagnostic.slice(0, 1000),
        class: klass,
      },
    ],
  };
}
