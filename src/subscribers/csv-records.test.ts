import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { type CsvRecord, readCsvRecords } from './csv-records.ts';

async function readAll(
  text: string,
  chunkSize: number,
  maxRecordChars?: number,
): Promise<{ records: CsvRecord[]; unreadable: Array<[number, string]> }> {
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const unreadable: Array<[number, string]> = [];
  const records: CsvRecord[] = [];
  for await (const chunk of readCsvRecords(Readable.from(chunks), {
    delimiter: ';',
    fileName: 'test.csv',
    onUnreadable: (line, reason) => unreadable.push([line, reason]),
    ...(maxRecordChars === undefined ? {} : { maxRecordChars }),
  })) {
    records.push(...chunk);
  }
  return { records, unreadable };
}

const tricky = [
  'email;name',
  'a@example.org;"Anne ; A"',
  '',
  'b@example.org;"two',
  'lines"',
  'c@example.org;"line\ninside"',
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
        { line: 6, cells: ['c@example.org', 'line\ninside'] },
        { line: 8, cells: ['d@example.org', 'x"y'] },
        { line: 11, cells: ['e@example.org', 'f', 'extra'] },
        { line: 12, cells: ['é@example.org', 'Amélie Dupré'] },
        { line: 13, cells: ['last@example.org', 'no newline at the end'] },
      ]);
    },
  );

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
      expect(unreadable).toEqual([
        [3, 'a quoted cell has text after its closing quote: lines 3 to 4 were read as one record'],
      ]);
    },
  );

  it('reports a quote never closed', async () => {
    const { records, unreadable } = await readAll('email;name\na@example.org;"A\nb@x.org;B\n', 5);
    expect(records).toHaveLength(1);
    expect(unreadable).toEqual([
      [2, 'a quote is never closed: lines 2 to 3 were read as one record'],
    ]);
  });

  it('stops at a record that grows past the limit, naming its line', async () => {
    const text = `email;name\na@example.org;A\nb@example.org;"never closed\n${'x;y\n'.repeat(5000)}`;
    await expect(readAll(text, 4096, 10_000)).rejects.toThrow(
      "'test.csv', line 3: a record longer than 10000 characters (a quote never closed?)",
    );
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
      fileName: 'test.csv',
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
