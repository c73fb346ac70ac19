import { type Attachment, simpleParser } from 'mailparser';

import { type BounceKind, classifyStatus, findStatusCode } from './classify-status.ts';

/** One recipient a delivery status notification reports on. */
export interface BouncedRecipient {
  /** Final-Recipient (or the address named in a non-standard bounce), lower-cased. */
  email: string | undefined;
  /** RFC 3464 Action (`failed`, `delayed`…), when given. */
  action: string | undefined;
  /** Enhanced status code, from Status or found in the diagnostic. */
  status: string | undefined;
  diagnostic: string | undefined;
  kind: BounceKind;
}

/** What an inbound message is, as far as the parser can tell without the database. */
export type InboundMessage =
  | { type: 'bounce'; recipients: BouncedRecipient[]; returned: ReturnedHeaders }
  | { type: 'complaint'; email: string | undefined; returned: ReturnedHeaders }
  | { type: 'unsubscribe'; from: string | undefined }
  | { type: 'auto-reply' }
  | { type: 'unclassified'; reason: string };

/** Headers of the message a report returns, which attribute it to a delivery. */
export interface ReturnedHeaders {
  messageId: string | undefined;
  returnPath: string | undefined;
}

/** Largest inbound message read; larger ones are unclassified without being parsed. */
export const maxInboundBytes = 10 * 1024 * 1024;

/** RFC 822-style header fields of one block (`Name: value`, continuation lines folded). */
function headerFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    last = (match[1] ?? '').toLowerCase();
    if (!fields.has(last)) fields.set(last, (match[2] ?? '').trim());
  }
  return fields;
}

/** `rfc822; a@example.org` → `a@example.org`. */
function addressField(value: string | undefined): string | undefined {
  const address = value
    ?.replace(/^[^;]*;/, '')
    .replace(/[<>\s]/g, '')
    .toLowerCase();
  return address ? address : undefined;
}

function returnedHeaders(text: string | undefined): ReturnedHeaders {
  const fields = headerFields((text ?? '').split(/\r?\n\r?\n/)[0] ?? '');
  return {
    messageId: fields.get('message-id')?.replace(/[<>\s]/g, '') || undefined,
    returnPath: addressField(fields.get('return-path')),
  };
}

function recipientOf(fields: Map<string, string>): BouncedRecipient {
  const diagnostic = fields.get('diagnostic-code')?.replace(/^[^;]*;\s*/, '');
  const status =
    fields.get('status')?.match(/^\d\.\d{1,3}\.\d{1,3}/)?.[0] ?? findStatusCode(diagnostic ?? '');
  return {
    email: addressField(fields.get('final-recipient') ?? fields.get('original-recipient')),
    action: fields.get('action')?.toLowerCase(),
    status,
    diagnostic,
    kind: status === undefined ? 'unknown' : classifyStatus(status),
  };
}

const isPart = (types: string[]) => (attachment: Attachment) =>
  types.includes(attachment.contentType.toLowerCase());

const outOfOffice =
  /^(auto(matic)?[ -]?(reply|response)|out of (the )?office|absent|absence|r[ée]ponse automatique|abwesenheit)/i;

/**
 * Reads an inbound message (a bounce, complaint, mailto unsubscribe or anything else) and says
 * what it is. Never throws on bad input: what it cannot read is `unclassified`, to be kept.
 *
 * @param unsubscribeMailto UNSUBSCRIBE_MAILTO, the address a `mailto:` unsubscribe is sent to
 */
export async function parseInbound(
  raw: Buffer,
  unsubscribeMailto?: string,
): Promise<InboundMessage> {
  if (raw.length === 0) return { type: 'unclassified', reason: 'empty message' };
  if (raw.length > maxInboundBytes) return { type: 'unclassified', reason: 'message too large' };
  let mail;
  try {
    // only the text, headers and parts are read: no HTML made from text, no links looked for
    mail = await simpleParser(raw, {
      keepDeliveryStatus: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
  } catch {
    return { type: 'unclassified', reason: 'not a MIME message' };
  }
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const reportType = contentType?.params?.['report-type']?.toLowerCase();
  const original = mail.attachments.find(isPart(['message/rfc822', 'text/rfc822-headers']));
  // mailparser folds an inline message/rfc822 part into the text and drops its headers: they
  // are then read from the raw bytes after the top-level header block, the last of each kind.
  const body = raw
    .toString('latin1')
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n\n');
  const lastField = (name: string) =>
    [...body.matchAll(new RegExp(`^${name}:[ \\t]*(.+)$`, 'gim'))].pop()?.[1];
  const returned = original
    ? returnedHeaders(original.content.toString('utf8'))
    : {
        messageId: lastField('message-id')?.replace(/[<>\s]/g, '') || undefined,
        returnPath: addressField(lastField('return-path')),
      };
  const text = mail.text ?? '';

  const feedback = mail.attachments.find(isPart(['message/feedback-report']));
  if (feedback || reportType === 'feedback-report') {
    const fields = headerFields(feedback?.content.toString('utf8') ?? '');
    return { type: 'complaint', email: addressField(fields.get('original-rcpt-to')), returned };
  }

  const status = mail.attachments.find(
    isPart(['message/delivery-status', 'message/global-delivery-status']),
  );
  if (status) {
    const [, ...perRecipient] = status.content
      .toString('utf8')
      .trim()
      .split(/\r?\n[ \t]*\r?\n/);
    const recipients = perRecipient
      .map(headerFields)
      .filter((f) => f.size > 0)
      .map(recipientOf);
    if (recipients.length === 0)
      return { type: 'unclassified', reason: 'report without recipients' };
    return { type: 'bounce', recipients, returned };
  }

  const to = mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]) : [];
  const isToMailto =
    unsubscribeMailto !== undefined &&
    to.some((group) =>
      group.value.some((a) => a.address?.toLowerCase() === unsubscribeMailto.toLowerCase()),
    );
  const autoSubmitted = String(mail.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const subject = mail.subject ?? '';
  const isAutoReply =
    autoSubmitted === 'auto-replied' && !/undeliver|returned|failure|delivery status/i.test(subject)
      ? true
      : mail.headers.has('x-autoreply') ||
        mail.headers.has('x-autorespond') ||
        outOfOffice.test(subject);
  if (isAutoReply && !/undeliver|returned|failure/i.test(subject)) return { type: 'auto-reply' };
  if (isToMailto && autoSubmitted === 'no') {
    return { type: 'unsubscribe', from: mail.from?.value[0]?.address?.toLowerCase() };
  }

  // Non-standard bounces (qmail, old Exim and Exchange): a text body naming the address and an
  // enhanced status code, sent by a mailer daemon.
  const code = findStatusCode(text);
  const isDaemon =
    /mailer-daemon|postmaster/i.test(mail.from?.text ?? '') ||
    /undeliver|returned|failure|delivery status/i.test(subject);
  if (code && isDaemon) {
    const address = /<?([^\s<>"]+@[^\s<>":]+?)>?:?\s*$/m.exec(text.split(code)[0] ?? '')?.[1];
    return {
      type: 'bounce',
      recipients: [
        {
          email: address?.toLowerCase(),
          action: 'failed',
          status: code,
          diagnostic: text
            .split(/\r?\n/)
            .find((line) => line.includes(code))
            ?.trim(),
          kind: classifyStatus(code),
        },
      ],
      returned,
    };
  }
  return { type: 'unclassified', reason: 'no report, status code or unsubscribe found' };
}
