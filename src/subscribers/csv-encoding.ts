import { isAscii, isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

import iconv from 'iconv-lite';

/** How the bytes of an import file are read. */
export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/** The UTF-16 of a file starting with its byte order mark (Excel's "Unicode text"), if any. */
export function utf16Of(start: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (start[0] === 0xff && start[1] === 0xfe) return 'utf-16le';
  if (start[0] === 0xfe && start[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Length of the UTF-8 sequence a lead byte starts; 0 for a byte no sequence starts with. */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** How many bytes at the end of `data` begin a UTF-8 sequence that the end of `data` cuts. */
function cutSequenceLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back += 1) {
    const byte = data[data.length - back] as number;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
}

const CR = 0x0d;
const LF = 0x0a;
const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Passes the bytes of a CSV file on as UTF-8 with `\n` line breaks and no BOM, reading them as
 * UTF-16 when they start with its byte order mark (Excel's "Unicode text"), else as
 * Windows-1252 when they are not UTF-8: what Excel on Windows writes as "CSV". ASCII is the same
 * in both; at the first chunk with other bytes, the file is taken as UTF-8 when that chunk is
 * valid UTF-8, else as Windows-1252, for good. {@link encoding} tells which (undefined while
 * only ASCII was read). `\r\n` and a lone `\r` become `\n`, inside quoted cells too, so that a
 * file mixing them is split into its real lines.
 */
export class CsvTextDecoder extends Transform {
  /** How the file is read, once a byte outside ASCII decided it. */
  encoding: CsvEncoding | undefined;
  #cut: Buffer | undefined;
  /** The last chunk ended with `\r`: the next one tells whether a `\n` follows. */
  #isCrPending = false;
  #isStart = true;
  /** The streaming decoder of a UTF-16 file (a character may be cut between chunks). */
  #utf16: iconv.DecoderStream | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.#isStart && this.encoding === undefined && this.#cut === undefined) {
      const utf16 = utf16Of(chunk);
      if (utf16) {
        this.encoding = utf16;
        this.#utf16 = iconv.getDecoder(utf16);
      }
    }
    if (this.#utf16) {
      // iconv drops the byte order mark
      callback(null, this.#text(Buffer.from(this.#utf16.write(chunk))));
      return;
    }
    if (this.encoding !== undefined) {
      callback(null, this.#text(this.#decode(chunk)));
      return;
    }
    const data = this.#cut ? Buffer.concat([this.#cut, chunk]) : chunk;
    this.#cut = undefined;
    if (isAscii(data)) {
      callback(null, this.#text(data));
      return;
    }
    // A sequence cut by the end of the chunk is judged with the next chunk.
    const whole = data.subarray(0, data.length - cutSequenceLength(data));
    if (isAscii(whole)) {
      this.#cut = data.subarray(whole.length);
      callback(null, this.#text(whole));
      return;
    }
    this.encoding = isUtf8(whole) ? 'utf-8' : 'windows-1252';
    callback(null, this.#text(this.#decode(data)));
  }

  override _flush(callback: TransformCallback) {
    let tail: Buffer = Buffer.alloc(0);
    if (this.#utf16) tail = this.#text(Buffer.from(this.#utf16.end() ?? ''));
    else if (this.#cut) {
      this.encoding = isUtf8(this.#cut) ? 'utf-8' : 'windows-1252';
      tail = this.#text(this.#decode(this.#cut));
    }
    callback(null, this.#isCrPending ? Buffer.concat([tail, Buffer.from([LF])]) : tail);
  }

  #decode(bytes: Buffer): Buffer {
    return this.encoding === 'windows-1252'
      ? Buffer.from(iconv.decode(bytes, 'windows-1252'))
      : bytes;
  }

  /** The BOM dropped, line breaks made `\n`; a final `\r` waits for the next chunk. */
  #text(bytes: Buffer): Buffer {
    let data = this.#isCrPending ? Buffer.concat([Buffer.from([CR]), bytes]) : bytes;
    this.#isCrPending = false;
    if (this.#isStart && data.length > 0) {
      this.#isStart = false;
      if (data.subarray(0, 3).equals(utf8Bom)) data = data.subarray(3);
    }
    if (!data.includes(CR)) return data;
    if (data[data.length - 1] === CR) {
      this.#isCrPending = true;
      data = data.subarray(0, -1);
    }
    const out = Buffer.allocUnsafe(data.length);
    let length = 0;
    for (let i = 0; i < data.length; i += 1) {
      const byte = data[i] as number;
      if (byte !== CR) out[length++] = byte;
      else {
        out[length++] = LF;
        if (data[i + 1] === LF) i += 1;
      }
    }
    return out.subarray(0, length);
  }
}
