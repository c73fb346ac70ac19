import { Readable } from 'node:stream';

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import { CsvTextDecoder } from './csv-encoding.ts';

/** Passes `bytes` through a decoder in chunks of `size` bytes; the text out and the encoding. */
async function decode(bytes: Buffer, size: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const decoder = new CsvTextDecoder();
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(decoder)) out.push(chunk as Buffer);
  return { text: Buffer.concat(out).toString('utf8'), encoding: decoder.encoding };
}

const text = 'courriel;prénom;nom\r\namelie@example.fr;Amélie;Dupré – « Œuvre » 5 €\r\n';
/** `text` as the decoder passes it on: `\n` line breaks. */
const lines = text.replaceAll('\r\n', '\n');

describe('CsvTextDecoder', () => {
  it.each([1, 2, 3, 5, 64, 1 << 16])(
    'reads Windows-1252 as Excel writes it (chunks of %i bytes)',
    async (size) => {
      expect(await decode(iconv.encode(text, 'windows-1252'), size)).toEqual({
        text: lines,
        encoding: 'windows-1252',
      });
    },
  );

  it.each([1, 2, 3, 5, 64, 1 << 16])(
    'passes UTF-8 on, without its BOM (chunks of %i bytes)',
    async (size) => {
      const bytes = Buffer.from(`\uFEFF${text}`);
      expect(await decode(bytes, size)).toEqual({ text: lines, encoding: 'utf-8' });
    },
  );

  it('decides at the first byte outside ASCII, however far into the file', async () => {
    const ascii = `email;name\n${'someone@example.org;Someone\n'.repeat(5000)}`;
    const late = `${ascii}zoe@example.fr;Zoé\n`;
    expect(await decode(iconv.encode(late, 'windows-1252'), 1 << 16)).toEqual({
      text: late,
      encoding: 'windows-1252',
    });
    expect(await decode(Buffer.from(late), 1 << 16)).toEqual({ text: late, encoding: 'utf-8' });
    expect(await decode(Buffer.from(ascii), 1 << 16)).toEqual({
      text: ascii,
      encoding: undefined,
    });
  });

  it('reads a file ending in a lone byte outside ASCII as Windows-1252', async () => {
    expect(await decode(Buffer.from([0x61, 0x3b, 0xe9]), 1)).toEqual({
      text: 'a;é',
      encoding: 'windows-1252',
    });
  });

  it.each([1, 2, 7, 1 << 16])(
    'makes every line break \\n, mixed ones and a lone \\r included (chunks of %i bytes)',
    async (size) => {
      const mixed = 'email;name\r\na@x.org;A\nb@x.org;"B\r\nB"\rc@x.org;C\r';
      expect((await decode(Buffer.from(mixed), size)).text).toBe(
        'email;name\na@x.org;A\nb@x.org;"B\nB"\nc@x.org;C\n',
      );
    },
  );

  it.each([
    ['utf-16le', 2],
    ['utf-16le', 3],
    ['utf-16be', 5],
    ['utf-16le', 1 << 16],
  ] as const)('reads %s by its byte order mark (chunks of %i bytes)', async (encoding, size) => {
    const bytes = iconv.encode(`\uFEFF${text}`, encoding, { addBOM: false });
    expect(await decode(bytes, size)).toEqual({ text: lines, encoding });
  });
});
