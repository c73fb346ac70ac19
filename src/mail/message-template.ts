import { createHash } from 'node:crypto';

import { z } from 'zod';

import { PersonalizationValuesSchema } from '../render/index.ts';
import {
  domainOf,
  encodeHeaderText,
  formatAddress,
  formatMailDate,
  headerLine,
  listIdValue,
  listUnsubscribeLine,
} from './mail-headers.ts';
import { type BodySlot, encodeBodies, encodeSlotValue } from './mime-body.ts';

/**
 * One recipient of a message: address, name and the values of the placeholders
 * (`PersonalizationValuesSchema`; `unsubscribeUrl` also fills the List-Unsubscribe header).
 */
export const MessageRecipientSchema = PersonalizationValuesSchema.extend({
  email: z.string().trim().min(3).max(254),
  /** Display name for the To header; null for none. */
  name: z.string().max(200).nullable(),
  /** Message-ID without angle brackets, e.g. from {@link campaignMessageId}. */
  messageId: z.string().min(3).max(250),
});
/** See {@link MessageRecipientSchema}. */
export type MessageRecipient = z.infer<typeof MessageRecipientSchema>;

/** What a message needs of its newsletter (structurally a subset of content's `Newsletter`). */
export interface MessageNewsletter {
  id: string;
  title: string;
  sender: { name: string; email: string };
  reply_to?: { name?: string | undefined; email: string } | undefined;
}

/** What a message needs of a rendered issue (a subset of render's `RenderedIssue`). */
export interface MessageBody {
  subject: string;
  html: string;
  text: string;
  /** Language of the body, written as Content-Language when given. */
  locale?: string | undefined;
}

/** Options of {@link buildMessageTemplate}. */
export interface MessageTemplateOptions {
  /** Mailbox of the `mailto:` in List-Unsubscribe (UNSUBSCRIBE_MAILTO); none when unset. */
  unsubscribeMailto?: string | undefined;
  /** Put before the subject, e.g. `[TEST] `. @defaultValue '' */
  subjectPrefix?: string | undefined;
}

type Slot = { kind: 'to' | 'date' | 'message-id' | 'list-unsubscribe' } | BodySlot;

/**
 * A whole MIME message (multipart/alternative: text/plain then text/html, UTF-8,
 * quoted-printable, CRLF) encoded once per issue and language. Static parts are prebuilt
 * buffers; the slots among `chunks` are filled per recipient by {@link renderMessage}.
 */
export interface MessageTemplate {
  /** Envelope sender (MAIL FROM): the newsletter's sender address. */
  readonly envelopeFrom: string;
  /** Domain of the sender, used on the right of Message-IDs. */
  readonly domain: string;
  /** The subject as written (with its prefix), for logs and reports. */
  readonly subject: string;
  /** Mailbox of the List-Unsubscribe mailto, if any. */
  readonly unsubscribeMailto: string | undefined;
  /** Prebuilt buffers and per-recipient slots, in message order. */
  readonly chunks: readonly (Buffer | Slot)[];
}

/** A finished message for one recipient. */
export interface RenderedMessage {
  raw: Buffer;
  /** Message-ID without angle brackets. */
  messageId: string;
}

// Header and quoted-printable text is ASCII; UTF-8 keeps any stray character intact rather than
// truncating it to one byte.
const ascii = (text: string) => Buffer.from(text, 'utf8');

/**
 * Builds the {@link MessageTemplate} of a rendered issue in one language: every header that is
 * the same for all recipients and both body parts are encoded here, once. Per recipient only To,
 * Date, Message-ID, List-Unsubscribe and the placeholder values remain.
 */
export function buildMessageTemplate(
  rendered: MessageBody,
  newsletter: MessageNewsletter,
  options: MessageTemplateOptions = {},
): MessageTemplate {
  const domain = domainOf(newsletter.sender.email);
  const subject = `${options.subjectPrefix ?? ''}${rendered.subject}`;
  const boundary = `----=_Depeche_${createHash('sha256')
    .update(rendered.html)
    .update(rendered.text)
    .digest('hex')
    .slice(0, 24)}`;
  const replyTo = newsletter.reply_to;
  const bodies = encodeBodies(rendered);
  const partHeaders = (type: string) =>
    `--${boundary}\r\n` +
    `Content-Type: ${type}; charset=utf-8\r\n` +
    'Content-Transfer-Encoding: quoted-printable\r\n\r\n';

  const chunks: (Buffer | Slot)[] = [
    ascii(
      headerLine('From', formatAddress(newsletter.sender.name, newsletter.sender.email)) +
        (replyTo === undefined
          ? ''
          : headerLine('Reply-To', formatAddress(replyTo.name, replyTo.email))),
    ),
    { kind: 'to' },
    ascii(headerLine('Subject', encodeHeaderText(subject))),
    { kind: 'date' },
    { kind: 'message-id' },
    ascii(headerLine('List-Id', listIdValue(newsletter.title, newsletter.id, domain))),
    { kind: 'list-unsubscribe' },
    ascii(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n' +
        (rendered.locale === undefined ? '' : headerLine('Content-Language', rendered.locale)) +
        'MIME-Version: 1.0\r\n' +
        `Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n\r\n` +
        partHeaders('text/plain'),
    ),
    ...bodies.text,
    ascii(`\r\n${partHeaders('text/html')}`),
    ...bodies.html,
    ascii(`\r\n--${boundary}--\r\n`),
  ];
  return {
    envelopeFrom: newsletter.sender.email,
    domain,
    subject,
    unsubscribeMailto: options.unsubscribeMailto,
    chunks: mergeAdjacent(chunks),
  };
}

/** Joins neighbouring static buffers so rendering concatenates as few pieces as possible. */
function mergeAdjacent(chunks: (Buffer | Slot)[]): (Buffer | Slot)[] {
  const merged: (Buffer | Slot)[] = [];
  for (const chunk of chunks) {
    const previous = merged[merged.length - 1];
    if (Buffer.isBuffer(chunk) && Buffer.isBuffer(previous)) {
      merged[merged.length - 1] = Buffer.concat([previous, chunk]);
    } else merged.push(chunk);
  }
  return merged;
}

/**
 * The Message-ID of one campaign's copy to one subscriber: `<key>.s345@example.org`, where `key`
 * is the campaign's random message key. Unique across databases and installations (Gmail drops a
 * message whose Message-ID it has seen), the same for a resend to the same subscriber.
 */
export function campaignMessageId(
  template: Pick<MessageTemplate, 'domain'>,
  campaignKey: string | number,
  subscriberId: string | number,
): string {
  const key = typeof campaignKey === 'number' ? `c${campaignKey}` : campaignKey;
  return `${key}.s${subscriberId}@${template.domain}`;
}

/**
 * Fills a {@link MessageTemplate} for one recipient: a few short encodings and one
 * `Buffer.concat` of prebuilt buffers (microseconds, not the milliseconds of composing a message).
 * `now` is the Date header.
 */
export function renderMessage(
  template: MessageTemplate,
  recipient: MessageRecipient,
  now: Date = new Date(),
): RenderedMessage {
  const messageId = recipient.messageId.replace(/[<>\s]/g, '');
  const parts: Buffer[] = [];
  const encoded = new Map<string, Buffer>();
  for (const chunk of template.chunks) {
    if (Buffer.isBuffer(chunk)) {
      parts.push(chunk);
      continue;
    }
    switch (chunk.kind) {
      case 'to':
        parts.push(ascii(headerLine('To', formatAddress(recipient.name, recipient.email))));
        break;
      case 'date':
        parts.push(ascii(`Date: ${formatMailDate(now)}\r\n`));
        break;
      case 'message-id':
        parts.push(ascii(`Message-ID: <${messageId}>\r\n`));
        break;
      case 'list-unsubscribe':
        parts.push(
          ascii(listUnsubscribeLine(recipient.unsubscribeUrl, template.unsubscribeMailto)),
        );
        break;
      case 'body': {
        const key = `${chunk.isHtml ? 'h' : 't'}:${chunk.name}`;
        let value = encoded.get(key);
        if (value === undefined) {
          value = encodeSlotValue(recipient[chunk.name], chunk.isHtml);
          encoded.set(key, value);
        }
        parts.push(value);
        break;
      }
    }
  }
  return { raw: Buffer.concat(parts), messageId };
}
