import { isAscii, isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

import iconv from 'iconv-lite';

/** How the bytes of an import file are read. */
export type CsvEncoding = 'utf-8' | 'windows-1252';

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

/**
 * Passes the bytes of a CSV file on as UTF-8, reading them as Windows-1252 when they are not
 * UTF-8: what Excel on Windows writes as "CSV". ASCII is the same in both; at the first chunk
 * with other bytes, the file is taken as UTF-8 when that chunk is valid UTF-8, else as
 * Windows-1252, for good. {@link encoding} tells which (undefined while only ASCII was read).
 */
export class CsvTextDecoder extends Transform {
  /** How the file is read, once a byte outside ASCII decided it. */
  encoding: CsvEncoding | undefined;
  #cut: Buffer | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.encoding !== undefined) {
      callback(null, this.#decode(chunk));
      return;
    }
    const data = this.#cut ? Buffer.concat([this.#cut, chunk]) : chunk;
    this.#cut = undefined;
    if (isAscii(data)) {
      callback(null, data);
      return;
    }
    // A sequence cut by the end of the chunk is judged with the next chunk.
    const whole = data.subarray(0, data.length - cutSequenceLength(data));
    if (isAscii(whole)) {
      this.#cut = data.subarray(whole.length);
      callback(null, whole);
      return;
    }
    this.encoding = isUtf8(whole) ? 'utf-8' : 'windows-1252';
    callback(null, this.#decode(data));
  }

  override _flush(callback: TransformCallback) {
    if (this.#cut) {
      this.encoding = isUtf8(this.#cut) ? 'utf-8' : 'windows-1252';
      callback(null, this.#decode(this.#cut));
      return;
    }
    callback();
  }

  #decode(bytes: Buffer): Buffer {
    return this.encoding === 'windows-1252'
      ? Buffer.from(iconv.decode(bytes, 'windows-1252'))
      : bytes;
  }
}
