import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { type CsvRecord, readCsvRecords } from './csv-records.ts';

async function readAll(
  text: string,
  chunkSize: number,
  lineBreak: '\r\n' | '\n' | '\r' = '\n',
): Promise<{ records: CsvRecord[]; unreadable: Array<[number, string]> }> {
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const unreadable: Array<[number, string]> = [];
  const records: CsvRecord[] = [];
  for await (const chunk of readCsvRecords(Readable.from(chunks), {
    delimiter: ';',
    lineBreak,
    onUnreadable: (line, reason) => unreadable.push([line, reason]),
  })) {
    records.push(...chunk);
  }
  return { records, unreadable };
}

const tricky = [
  '\uFEFFemail;name',
  'a@example.org;"Anne ; A"',
  '',
  'b@example.org;"two',
  'lines"',
  'c@example.org;"crlf\r\ninside"',
  'd@example.org;"x""y"',
  '',
  '',
  'e@example.org;f;extra',
  'é@example.org;Amélie Dupré',
  'last@example.org;no newline at the end',
].join('\n');

describe('readCsvRecords', () => {
  // 1 and 7 bytes cut multi-byte characters (é) and quoted line breaks between chunks
  it.each([1, 7, 64, 1 << 16])(
    'tags each record with the line it starts on (chunks of %i bytes)',
    async (chunkSize) => {
      const { records, unreadable } = await readAll(tricky, chunkSize);
      expect(unreadable).toEqual([]);
      expect(records).toEqual([
        { line: 1, cells: ['email', 'name'] },
        { line: 2, cells: ['a@example.org', 'Anne ; A'] },
        { line: 4, cells: ['b@example.org', 'two\nlines'] },
        { line: 6, cells: ['c@example.org', 'crlf\r\ninside'] },
        { line: 8, cells: ['d@example.org', 'x"y'] },
        { line: 11, cells: ['e@example.org', 'f', 'extra'] },
        { line: 12, cells: ['é@example.org', 'Amélie Dupré'] },
        { line: 13, cells: ['last@example.org', 'no newline at the end'] },
      ]);
    },
  );

  it('reads a Windows file (CRLF) whatever the size of the first chunk', async () => {
    const text =
      'email;name\r\na@example.org;A\r\n\r\nb@example.org;"B\r\nB"\r\nc@example.org;C\r\n';
    const { records } = await readAll(text, 1, '\r\n');
    expect(records).toEqual([
      { line: 1, cells: ['email', 'name'] },
      { line: 2, cells: ['a@example.org', 'A'] },
      { line: 4, cells: ['b@example.org', 'B\r\nB'] },
      { line: 6, cells: ['c@example.org', 'C'] },
    ]);
  });

  it.each([1, 1 << 16])(
    'reports an unreadable record once, with its line, and skips it (chunks of %i bytes)',
    async (chunkSize) => {
      const text = 'email;name\na@example.org;A\nb@example.org;"B"x\nc@example.org;C\n';
      const { records, unreadable } = await readAll(text, chunkSize);
      expect(records.map((r) => [r.line, r.cells[0]])).toEqual([
        [1, 'email'],
        [2, 'a@example.org'],
      ]);
      // the broken quote swallows what follows up to the end of the file, as one record
      expect(unreadable).toEqual([[3, expect.stringContaining('text after its closing quote')]]);
    },
  );

  it('reports a quote never closed', async () => {
    const { records, unreadable } = await readAll('email;name\na@example.org;"A\nb@x.org;B\n', 5);
    expect(records).toHaveLength(1);
    expect(unreadable).toEqual([[2, expect.stringContaining('never closed')]]);
  });

  it('hands the records over chunk by chunk, the parser waiting for the reader', async () => {
    const lines = ['email;name'];
    for (let i = 0; i < 20_000; i += 1) lines.push(`user${i}@example.org;Name ${i}`);
    const bytes = Buffer.from(lines.join('\n'));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 16_384) chunks.push(bytes.subarray(i, i + 16_384));
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const chunk of chunks) {
          pulled += 1;
          yield chunk;
        }
      })(),
    );
    const seen: number[] = [];
    let count = 0;
    for await (const batch of readCsvRecords(source, {
      delimiter: ';',
      lineBreak: '\n',
      onUnreadable: () => undefined,
    })) {
      count += batch.length;
      if (seen.length < 3) seen.push(pulled);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(count).toBe(20_001);
    // while the first batches were read, most of the input was still unread
    expect(seen[0]).toBeLessThan(chunks.length / 2);
  });
});
