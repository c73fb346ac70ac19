import { encodeWord, encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import { toASCII } from 'nodemailer/lib/punycode';

/** Line length headers are folded at (RFC 5322 §2.1.1 recommends 78). */
const headerLineLength = 76;

/** Removes characters that could end a header line or break its structure. */
function stripControls(value: string): string {
  let hasControl = false;
  for (let index = 0; index < value.length && !hasControl; index++) {
    const code = value.charCodeAt(index);
    hasControl = code < 0x20 || code === 0x7f;
  }
  if (!hasControl) return value.trim();
  return [...value]
    .map((char) => (char.charCodeAt(0) < 0x20 || char === '\x7f' ? ' ' : char))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * An address for `From`, `Reply-To` or `To`: the display name is kept bare when it is only
 * letters, digits and spaces, quoted when it has ASCII specials, and RFC 2047 encoded
 * (`=?UTF-8?Q?=C3=89lodie?=`) when it has anything else. Empty names give the bare address.
 */
export function formatAddress(name: string | null | undefined, email: string): string {
  const address = asciiDomain(stripControls(email).replace(/[<>\s]/g, ''));
  const display = stripControls(name ?? '');
  if (display === '') return address;
  if (/^[\w ]*$/.test(display)) return `${display} <${address}>`;
  if (/^[\x20-\x7e]*$/.test(display)) return `${quoteString(display)} <${address}>`;
  return `${encodeWord(display, 'Q', 52)} <${address}>`;
}

/** The address with an internationalised domain written in punycode (`xn--…`). */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return at < 0 || /^[\x20-\x7e]*$/.test(domain)
    ? address
    : `${address.slice(0, at + 1)}${toASCII(domain)}`;
}

/** An unstructured header value (Subject, phrase of List-Id): RFC 2047 encoded when not ASCII. */
export function encodeHeaderText(value: string): string {
  const text = stripControls(value);
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeWords(text, 'Q', 52, true);
}

/** One header line `Name: value` folded at whitespace, ending with CRLF. */
export function headerLine(name: string, value: string): string {
  return `${foldLines(`${name}: ${value}`, headerLineLength)}\r\n`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');

/** RFC 5322 date in UTC, e.g. `Mon, 23 Nov 2026 05:43:10 +0000`. */
export function formatMailDate(date: Date): string {
  return (
    `${weekdays[date.getUTCDay()]}, ${date.getUTCDate()} ${months[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:` +
    `${pad(date.getUTCSeconds())} +0000`
  );
}

/** The domain part of an email address, lower-cased. */
export function domainOf(email: string): string {
  return (email.split('@').pop() ?? '').trim().toLowerCase();
}

/**
 * The `List-Id` value (RFC 2919): the newsletter title as phrase and `<id.domain>` as list id,
 * e.g. `AdN <adn.example.org>`.
 */
export function listIdValue(title: string, newsletterId: string, domain: string): string {
  const phrase = encodeHeaderText(title);
  const quoted = /^[\w ]*$/.test(phrase) || phrase.startsWith('=?') ? phrase : quoteString(phrase);
  return `${quoted} <${newsletterId.toLowerCase()}.${domain}>`;
}

/**
 * The one `List-Unsubscribe` header line (RFC 2369, RFC 8058): the HTTPS one-click URL first,
 * then the mailto when a mailbox is configured, in one header rather than nodemailer's two.
 * Folded between the two URIs only; a URI is never broken.
 */
export function listUnsubscribeLine(url: string, mailto: string | undefined): string {
  const https = `List-Unsubscribe: <${url.replace(/[<>\s]/g, '')}>`;
  if (https.length > 990) throw new Error(`Unsubscribe URL too long (${url.length} characters)`);
  return mailto === undefined
    ? `${https}\r\n`
    : `${https},\r\n <mailto:${mailto}?subject=unsubscribe>\r\n`;
}
