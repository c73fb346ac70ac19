import { verify, X509Certificate } from 'node:crypto';

import { z } from 'zod';

import { findStatusCode } from './classify-status.ts';
import type { ProviderEvent } from './provider-event.ts';
import type { WebhookRequest, WebhookVerdict } from './webhook-providers.ts';

/** What the SES (SNS) verifier needs from outside. */
export interface SnsDeps {
  /** SES_SNS_TOPIC_ARNS: only these topics are accepted (anyone can make AWS sign a topic). */
  topicArns: readonly string[];
  /** Fetches the PEM of a signing certificate (an `https://sns.<region>.amazonaws.com/…` URL). */
  fetchCertificate: (url: string) => Promise<string>;
  /** Visits a SubscribeURL to confirm the subscription of the topic. */
  confirmSubscription: (url: string) => Promise<void>;
}

const text = (max: number) => z.string().max(max);

const SnsMessageSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: text(200),
  TopicArn: text(300),
  Message: text(256 * 1024),
  Timestamp: text(50),
  SignatureVersion: z.enum(['1', '2']),
  Signature: text(2000),
  SigningCertURL: text(500),
  Subject: text(500).optional(),
  SubscribeURL: text(2000).optional(),
  Token: text(2000).optional(),
});
type SnsMessage = z.infer<typeof SnsMessageSchema>;

const SesRecipientSchema = z.object({
  emailAddress: text(254),
  status: text(20).optional(),
  diagnosticCode: text(2000).optional(),
});
const SesNotificationSchema = z.object({
  notificationType: text(50).optional(),
  eventType: text(50).optional(),
  bounce: z
    .object({ bounceType: text(50), bouncedRecipients: z.array(SesRecipientSchema).max(100) })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(SesRecipientSchema.pick({ emailAddress: true })).max(100),
    })
    .optional(),
  mail: z
    .object({
      commonHeaders: z
        .object({ messageId: text(300).optional() })
        .partial()
        .optional(),
    })
    .partial()
    .optional(),
});

/** An SNS host: `sns.<region>.amazonaws.com` (`.com.cn` in China), the region AWS-shaped. */
const snsHost = /^sns\.[a-z]{2}(-[a-z]+)+-\d{1,2}\.amazonaws\.com(\.cn)?$/;

/**
 * A URL of SNS itself: https, no port, no user info, on {@link snsHost} exactly (a look-alike
 * such as `sns.us-east-1.amazonaws.com.evil.example` is not). With `pathSuffix` (the signing
 * certificate), the path is one file ending so, with no query or fragment.
 */
export function isSnsUrl(raw: string, pathSuffix = ''): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const isSnsOrigin =
    url.protocol === 'https:' &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    snsHost.test(url.hostname);
  if (!isSnsOrigin || pathSuffix === '') return isSnsOrigin;
  return (
    /^\/[^/]+$/.test(url.pathname) &&
    url.pathname.endsWith(pathSuffix) &&
    url.search === '' &&
    url.hash === ''
  );
}

/** The public key of a signing certificate valid at `at`, or why not. */
function certificateKey(pem: string, at: Date): X509Certificate['publicKey'] | string {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return 'SigningCertURL did not give an X.509 certificate';
  }
  if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo)) {
    return 'SNS signing certificate is expired or not yet valid';
  }
  return certificate.publicKey;
}

/** The string SNS signs (AWS "Verifying the signatures of Amazon SNS messages"). */
export function snsStringToSign(message: SnsMessage): string {
  const keys =
    message.Type === 'Notification'
      ? [
          'Message',
          'MessageId',
          ...(message.Subject === undefined ? [] : ['Subject']),
          'Timestamp',
          'TopicArn',
          'Type',
        ]
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((key) => `${key}\n${String(message[key as keyof SnsMessage] ?? '')}\n`).join('');
}

/**
 * Amazon SES through SNS: the SNS message's RSA signature (SHA1 for version 1, SHA256 for 2) is
 * checked with the certificate at `SigningCertURL`, which must be SNS's own and valid when the
 * request arrived; the topic must be
 * one of SES_SNS_TOPIC_ARNS. A SubscriptionConfirmation is confirmed by visiting its
 * SubscribeURL. A `Bounce` notification gives one event per bounced recipient (Permanent: hard,
 * Transient: soft, unless the status says otherwise), a `Complaint` one per complainant.
 */
export async function verifySesSns(
  request: WebhookRequest,
  deps: SnsDeps,
): Promise<WebhookVerdict> {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { isGenuine: false, reason: 'malformed', detail: 'body: expected JSON' };
  }
  const parsed = SnsMessageSchema.safeParse(body);
  if (!parsed.success) {
    return { isGenuine: false, reason: 'signature', detail: 'not a signed SNS message' };
  }
  const message = parsed.data;
  if (!isSnsUrl(message.SigningCertURL, '.pem')) {
    return {
      isGenuine: false,
      reason: 'signature',
      detail: 'SigningCertURL is not an SNS certificate',
    };
  }
  let key: ReturnType<typeof certificateKey>;
  try {
    key = certificateKey(await deps.fetchCertificate(message.SigningCertURL), request.receivedAt);
  } catch {
    key = 'SNS signing certificate could not be fetched';
  }
  if (typeof key === 'string') return { isGenuine: false, reason: 'signature', detail: key };
  let isValid: boolean;
  try {
    isValid = verify(
      message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
      Buffer.from(snsStringToSign(message)),
      key,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch {
    isValid = false;
  }
  if (!isValid)
    return { isGenuine: false, reason: 'signature', detail: 'SNS signature does not match' };
  if (!deps.topicArns.includes(message.TopicArn)) {
    return { isGenuine: false, reason: 'signature', detail: 'topic not in SES_SNS_TOPIC_ARNS' };
  }
  if (message.Type === 'SubscriptionConfirmation') {
    if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL)) {
      return {
        isGenuine: false,
        reason: 'malformed',
        detail: 'SubscribeURL is not an SNS address',
      };
    }
    await deps.confirmSubscription(message.SubscribeURL);
    return { isGenuine: true, events: [] };
  }
  if (message.Type !== 'Notification') return { isGenuine: true, events: [] };
  let notification: z.infer<typeof SesNotificationSchema>;
  try {
    notification = SesNotificationSchema.parse(JSON.parse(message.Message));
  } catch {
    return {
      isGenuine: false,
      reason: 'malformed',
      detail: 'Message: expected an SES notification',
    };
  }
  const type = notification.notificationType ?? notification.eventType;
  const messageId =
    notification.mail?.commonHeaders?.messageId?.replace(/[<>\s]/g, '') || undefined;
  const base = { source: 'ses', ...(messageId === undefined ? {} : { messageId }) };
  const events: ProviderEvent[] = [];
  if (type === 'Bounce' && notification.bounce) {
    const klass = notification.bounce.bounceType === 'Permanent' ? 'hard' : 'soft';
    notification.bounce.bouncedRecipients.forEach((recipient, index) => {
      const status = recipient.status ?? findStatusCode(recipient.diagnosticCode ?? '');
      events.push({
        ...base,
        fingerprint: `ses:${message.MessageId}:${index}`,
        kind: 'bounce',
        email: recipient.emailAddress,
        ...(status === undefined ? {} : { status }),
        ...(recipient.diagnosticCode === undefined
          ? {}
          : { diagnostic: recipient.diagnosticCode.slice(0, 1000) }),
        class: klass,
      });
    });
  } else if (type === 'Complaint' && notification.complaint) {
    notification.complaint.complainedRecipients.forEach((recipient, index) => {
      events.push({
        ...base,
        fingerprint: `ses:${message.MessageId}:${index}`,
        kind: 'complaint',
        email: recipient.emailAddress,
      });
    });
  }
  return { isGenuine: true, events };
}
