import {
  compilePersonalization,
  escapeHtml,
  type PlaceholderName,
  type SplitBody,
} from '../render/index.ts';
import { encodeQuotedPrintable, softBreak, toCrlf } from './mime-encode.ts';

/** Where one placeholder value goes in an encoded body part. */
export interface BodySlot {
  kind: 'body';
  name: PlaceholderName;
  isHtml: boolean;
}

/** An encoded body part: prebuilt quoted-printable buffers with placeholder slots between. */
export type EncodedBody = (Buffer | BodySlot)[];

function encodeSplit(split: SplitBody, isHtml: boolean): EncodedBody {
  const chunks: EncodedBody = [];
  split.literals.forEach((literal, index) => {
    chunks.push(Buffer.from(encodeQuotedPrintable(literal), 'utf8'));
    const name = split.slots[index];
    if (name !== undefined) chunks.push({ kind: 'body', name, isHtml });
  });
  return chunks;
}

/**
 * Encodes the text and HTML parts once, split at the renderer's placeholders. Each slot is
 * surrounded by soft line breaks (see {@link encodeSlotValue}), so every static segment and every
 * value starts a fresh line: no line exceeds 76 characters whatever length the values have.
 */
export function encodeBodies(rendered: { html: string; text: string }): {
  text: EncodedBody;
  html: EncodedBody;
} {
  const split = compilePersonalization({
    html: toCrlf(rendered.html),
    text: toCrlf(rendered.text),
  });
  return { text: encodeSplit(split.text, false), html: encodeSplit(split.html, true) };
}

/**
 * One placeholder value for a slot: HTML-escaped in the HTML part, quoted-printable encoded and
 * framed by soft line breaks, which decoding removes.
 */
export function encodeSlotValue(value: string, isHtml: boolean): Buffer {
  const text = isHtml ? escapeHtml(value) : value;
  return Buffer.concat([
    softBreak,
    Buffer.from(encodeQuotedPrintable(toCrlf(text)), 'utf8'),
    softBreak,
  ]);
}
