import type { Readable } from 'node:stream';

import Papa from 'papaparse';

import { ValidationError } from '../lib/index.ts';

/** One record of a CSV file, with the line it starts on (1 = the first line of the file). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Options of {@link readCsvRecords}. */
export interface CsvRecordOptions {
  delimiter: string;
  /** Called for each record that cannot be read (a broken quote…), which is skipped. */
  onUnreadable: (line: number, reason: string) => void;
  /** Name of the file, in messages. */
  fileName: string;
  /**
   * Characters one record may hold. A quote never closed makes the rest of the file one record:
   * past this, the import stops rather than hold the file in memory. @defaultValue 1 MiB
   */
  maxRecordChars?: number;
}

/** What an editor is told about the record papaparse could not read. */
const unreadableReasons: Record<string, string> = {
  InvalidQuotes: 'a quoted cell has text after its closing quote',
  MissingQuotes: 'a quote is never closed',
};

/** Line breaks inside a record's cells (quoted cells may hold some). */
function innerLineBreaks(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) count += 1;
  }
  return count;
}

/**
 * Reads CSV text with `\n` line breaks and no BOM (what `CsvTextDecoder` passes on) as arrays of
 * {@link CsvRecord}s, one per chunk of input, in file order, with papaparse: quoted fields as
 * spreadsheets write them, rows of any length, empty lines skipped, unreadable records reported
 * with their lines and skipped. The parser and the input wait while the reader takes a chunk's
 * records, and no record may grow past `maxRecordChars`, so memory stays flat in file size.
 * Throws a {@link ValidationError} naming the line of a record that grows past it.
 */
export async function* readCsvRecords(
  text: Readable,
  options: CsvRecordOptions,
): AsyncGenerator<CsvRecord[]> {
  const maxRecordChars = options.maxRecordChars ?? 1 << 20;
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
  // Characters received, and where the last complete record ended: what lies between is the
  // record being read.
  let received = 0;
  text.on('data', (chunk: string) => {
    received += chunk.length;
  });

  Papa.parse<string[]>(text as unknown as Papa.LocalFile, {
    delimiter: options.delimiter,
    newline: '\n',
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
        const start = line;
        line += 1 + innerLineBreaks(cells);
        const reason = broken.get(index);
        if (reason !== undefined) {
          // the cell runs on to the next quote (or the end of the file): say which lines it took
          const end = start + innerLineBreaks(cells.map((cell) => cell.replace(/\n+$/, '')));
          options.onUnreadable(
            start,
            end > start ? `${reason}: lines ${start} to ${end} were read as one record` : reason,
          );
        } else if (cells.length > 1 || (cells[0] ?? '') !== '') {
          records.push({ line: start, cells });
        }
      });
      if (records.length > 0) ready.push(records);
      if (received - results.meta.cursor > maxRecordChars) {
        failure = new ValidationError(
          `'${options.fileName}', line ${line}: a record longer than ${maxRecordChars} characters ` +
            '(a quote never closed?); the import stopped there',
        );
        handle.abort();
        text.destroy();
        notify();
        return;
      }
      if (records.length === 0) return;
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

  try {
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
  } finally {
    // an early stop (no email column, a failed batch) leaves nothing reading the file
    if (!isDone) text.destroy();
  }
}
