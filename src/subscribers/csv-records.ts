import type { Readable } from 'node:stream';

import Papa from 'papaparse';

/** One record of a CSV file, with the line it starts on (1 = the first line of the file). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Options of {@link readCsvRecords}. */
export interface CsvRecordOptions {
  delimiter: string;
  /** The file's line break (see `detectLineBreak`). */
  lineBreak: '\r\n' | '\n' | '\r';
  /** Called for each record that cannot be read (a broken quote…), which is skipped. */
  onUnreadable: (line: number, reason: string) => void;
}

/** What an editor is told about the record papaparse could not read. */
const unreadableReasons: Record<string, string> = {
  InvalidQuotes:
    'a quoted cell has text after its closing quote (the lines up to the next quote were read as one cell)',
  MissingQuotes: 'a quote is never closed: the rest of the file was read as one cell',
};

const lineBreak = /\r\n|\r|\n/g;

/** Line breaks inside a record's cells (quoted cells may hold some). */
function innerLineBreaks(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) count += cell.match(lineBreak)?.length ?? 0;
  }
  return count;
}

/**
 * Reads CSV text (a BOM skipped) as arrays of {@link CsvRecord}s, one per chunk of input, in file
 * order, with papaparse: quoted fields as spreadsheets write them, rows of any length, empty
 * lines skipped, unreadable records reported with their line and skipped. The parser waits
 * while the reader works on a chunk, so memory stays flat in file size.
 */
export async function* readCsvRecords(
  text: Readable,
  options: CsvRecordOptions,
): AsyncGenerator<CsvRecord[]> {
  text.setEncoding('utf8');
  const ready: CsvRecord[][] = [];
  let parser: Papa.Parser | undefined;
  let isDone = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let line = 1;
  let isFirst = true;

  Papa.parse<string[]>(text as unknown as Papa.LocalFile, {
    delimiter: options.delimiter,
    newline: options.lineBreak,
    skipEmptyLines: false,
    chunk(results, handle) {
      const rows = results.data;
      // An error about the row still being read (index = rows.length) comes again with it.
      const broken = new Map<number, string>();
      for (const error of results.errors) {
        if (error.row === undefined || error.row >= rows.length || broken.has(error.row)) continue;
        broken.set(error.row, unreadableReasons[error.code] ?? error.message);
      }
      const records: CsvRecord[] = [];
      rows.forEach((cells, index) => {
        if (isFirst) {
          isFirst = false;
          if (cells[0]?.charCodeAt(0) === 0xfeff) cells[0] = cells[0].slice(1);
        }
        const start = line;
        line += 1 + innerLineBreaks(cells);
        const reason = broken.get(index);
        if (reason !== undefined) options.onUnreadable(start, reason);
        else if (cells.length > 1 || (cells[0] ?? '') !== '') records.push({ line: start, cells });
      });
      if (records.length === 0) return;
      ready.push(records);
      parser = handle;
      // papaparse's pause stops its parsing; the input must stop flowing too
      handle.pause();
      text.pause();
      notify();
    },
    complete() {
      isDone = true;
      notify();
    },
    error(error: Error) {
      failure = error;
      notify();
    },
  });

  for (;;) {
    const records = ready.shift();
    if (records) {
      yield records;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (isDone) return;
    const waiting = new Promise<void>((resolve) => (wake = resolve));
    // The chunk's records are read: let the parser go on (it may parse the next chunk, and
    // pause again, before `resume` returns).
    const paused = parser;
    parser = undefined;
    if (paused) {
      text.resume();
      paused.resume();
    }
    await waiting;
  }
}
