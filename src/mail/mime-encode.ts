import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** Longest quoted-printable line we write, soft break included (RFC 2045 §6.7). */
export const qpLineLength = 76;

/** A soft line break: `=` CRLF, which quoted-printable decoding removes. */
export const softBreak = Buffer.from('=\r\n', 'latin1');

/** Rewrites every line ending (LF, CR, CRLF) as CRLF, the only one allowed in a message. */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * Quoted-printable encoding of a UTF-8 string that starts at the beginning of a line, wrapped one
 * character short of {@link qpLineLength} so that a soft break may follow its last line. Hard
 * line breaks must already be CRLF.
 */
export function encodeQuotedPrintable(text: string): string {
  return qpWrap(qpEncode(text), qpLineLength - 1);
}
