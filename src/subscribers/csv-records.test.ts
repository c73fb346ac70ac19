import { Readable } from 'node:stream';

import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';

import { createCsvRecordStream, type CsvRecord } from './csv-records.ts';

async function readAll(
  text: string,
  chunkSize: number,
): Promise<{ records: CsvRecord[]; unreadable: Array<[number, string]> }> {
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const unreadable: Array<[number, string]> = [];
  const stream = Readable.from(chunks).pipe(
    createCsvRecordStream({
      delimiter: ';',
      onUnreadable: (line, reason) => unreadable.push([line, reason]),
    }),
  );
  const records: CsvRecord[] = [];
  for await (const chunk of stream as AsyncIterable<CsvRecord[]>) records.push(...chunk);
  return { records, unreadable };
}

/** What csv-parse itself reports with its `info` option, for comparison. */
async function readWithInfo(text: string): Promise<CsvRecord[]> {
  const parser = Readable.from([Buffer.from(text)]).pipe(
    parse({
      bom: true,
      delimiter: ';',
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  const records: CsvRecord[] = [];
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>)
    records.push({ line: info.lines, cells: record });
  return records;
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
  'last@example.org;no newline at the end',
].join('\n');

describe('createCsvRecordStream', () => {
  it.each([1, 7, 64, 1 << 16])(
    'tags each record with the line csv-parse reports for it (chunks of %i bytes)',
    async (chunkSize) => {
      const { records, unreadable } = await readAll(tricky, chunkSize);
      expect(unreadable).toEqual([]);
      expect(records).toEqual(await readWithInfo(tricky));
      expect(records).toHaveLength(7);
      expect(records.slice(0, 3)).toEqual([
        { line: 1, cells: ['email', 'name'] },
        { line: 2, cells: ['a@example.org', 'Anne ; A'] },
        { line: 5, cells: ['b@example.org', 'two\nlines'] },
      ]);
      expect(records.at(-1)).toEqual({
        line: 13,
        cells: ['last@example.org', 'no newline at the end'],
      });
    },
  );

  it('reports unreadable records with their line', async () => {
    const text = 'email;name\na@example.org;A\nb@example.org;"B"x\nc@example.org;C\n';
    const { records, unreadable } = await readAll(text, 1 << 16);
    expect(records.map((r) => [r.line, r.cells[0]])).toEqual([
      [1, 'email'],
      [2, 'a@example.org'],
    ]);
    expect(unreadable).toEqual([
      [3, expect.stringContaining('Invalid Closing Quote')],
      [4, expect.stringContaining('Quote Not Closed')],
    ]);
  });
});
