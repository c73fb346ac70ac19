import { pipeline, Readable } from 'node:stream';

import iconv from 'iconv-lite';

import { AppError, createTaskPool } from '../lib/index.ts';
import { type ColumnMap, type ImportRow, mapColumns, readRow } from './csv-columns.ts';
import { type CsvEncoding, CsvTextDecoder, utf16Of } from './csv-encoding.ts';
import { readCsvRecords } from './csv-records.ts';
import { detectDelimiter } from './detect-delimiter.ts';
import { type ImportOutcome, planImportBatch } from './import-plan.ts';
import type { SubscriberServiceDeps } from './service-deps.ts';
import type { ImportConflictMode, NewConsentEvent, SubscriberStores } from './stores.ts';

/** Options of an import. */
export interface ImportOptions {
  newsletterId: string;
  /** The office holds the consent of these subscribers: active at once. @defaultValue false (pending) */
  isConfirmed?: boolean;
  /** Reads and checks everything, writes nothing (one transaction, rolled back). */
  isDryRun?: boolean;
  /** Name of the file, in messages and in the consent events' source. */
  fileName: string;
  /** Called after each batch. */
  onProgress?: (progress: { bytesRead: number; rows: number }) => void;
  /** Rows per batch (one set of statements each). @defaultValue 2000 */
  batchSize?: number;
  /**
   * Batches written at once, each in its own transaction and connection (PostgreSQL; PGlite
   * serves one at a time). A dry run writes one at a time. @defaultValue 1
   */
  concurrency?: number;
}

/** At most this many invalid rows are listed (all are counted): memory stays flat. */
export const maxListedInvalidRows = 1000;

/** What an import did (or would do, in a dry run). */
export interface ImportSummary {
  newsletterId: string;
  isDryRun: boolean;
  /** How the file was read: UTF-8, or Windows-1252 when it is not UTF-8 (Excel's "CSV"). */
  encoding: CsvEncoding;
  /** Data rows read (the header excluded). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Not subscribed: the address is suppressed or unsubscribed from the newsletter. */
  suppressed: number;
  /** Rows for another newsletter (a `newsletters` column) or marked unsubscribed in the file. */
  skipped: number;
  invalid: number;
  /** The first {@link maxListedInvalidRows} invalid rows: line number (1 = header) and reason. */
  invalidRows: Array<{ line: number; reason: string }>;
}

class DryRunRollback extends Error {}

/** How a batch is written: see `writeBatch`. */
interface BatchMode {
  isOptimistic: boolean;
  onConflict: ImportConflictMode;
}

/** What became of the rows of a batch, counted once its transaction committed. */
type BatchCounts = Record<ImportOutcome, number>;
const importOutcomes: ImportOutcome[] = ['created', 'updated', 'unchanged', 'suppressed'];

/** The start of a file as text, to choose its delimiter: UTF-16 by its byte order mark. */
function headerText(start: Buffer): string {
  const utf16 = utf16Of(start);
  return utf16 ? iconv.decode(start, utf16) : start.toString('utf8');
}

/** Yields the chunks of `first` as one, then the rest of `iterator`, counting bytes. */
async function* replay(
  first: Buffer[],
  iterator: AsyncIterator<Buffer>,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  // one chunk: the decoder sees a byte order mark whole
  if (first.length > 0) yield Buffer.concat(first);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    counter.bytes += next.value.length;
    yield next.value;
  }
}

/** The CSV import: streaming parse, batches of set-based statements, flat memory. */
export function createCsvImport({ stores, inTransaction, clock, logger }: SubscriberServiceDeps) {
  const log = logger.child({ component: 'subscribers.import' });

  /**
   * Writes one batch of rows (distinct addresses) and returns what became of them.
   * `isOptimistic` takes every address that is not suppressed for a new one, without looking
   * the stored subscribers up: an insert of a stored address then raises a unique violation,
   * as `onConflict: 'fail'` does when another process inserted one meanwhile (write the batch
   * again, looking up, with `'skip'`). With `'skip'` such addresses are planned again, now as
   * known ones.
   */
  async function writeBatch(
    tx: SubscriberStores,
    rows: ImportRow[],
    options: ImportOptions,
    mode: BatchMode,
    counts: BatchCounts = { created: 0, updated: 0, unchanged: 0, suppressed: 0 },
    round = 1,
  ): Promise<BatchCounts> {
    const { isOptimistic, onConflict } = mode;
    const now = clock.now();
    const { imports } = tx;
    const hashes = rows.map((row) => row.emailHash);
    const known = isOptimistic
      ? { existing: new Map(), suppressed: await imports.findSuppressed(hashes) }
      : await imports.findKnown(hashes, options.newsletterId);
    const plan = planImportBatch(
      rows,
      known.existing,
      known.suppressed,
      options.isConfirmed === true,
    );
    const source = `import:${options.fileName.slice(-150)}`;
    const newStatus = options.isConfirmed === true ? 'active' : 'pending';
    // Addresses inserted meanwhile by another process (skip mode): planned again, now as known.
    const raced = await imports.insertSubscribed(
      plan.inserts.map((i) => i.values),
      { newsletterId: options.newsletterId, status: newStatus, source },
      now,
      onConflict,
    );
    await imports.updateSubscribers(
      plan.updates.map((u) => u.values),
      plan.updates.map((u) => u.id),
      now,
    );
    const subscriptions: Array<{ subscriberId: number; status: 'pending' | 'active' }> = [];
    const events: NewConsentEvent[] = [];
    for (const item of plan.subscriptions) {
      // new subscribers got theirs with the insert
      if (item.subscriberId === null) continue;
      subscriptions.push({ subscriberId: item.subscriberId, status: item.status });
      events.push({
        subscriberId: item.subscriberId,
        newsletterId: options.newsletterId,
        kind: 'import',
        source,
        consentVersion: null,
        ip: null,
        details: { status: item.status, line: item.row.line },
        occurredAt: now,
      });
    }
    await imports.upsertSubscriptions(options.newsletterId, subscriptions, now);
    await tx.consent.append(events);
    for (const { row, outcome } of plan.outcomes)
      if (!raced.has(row.emailHash)) counts[outcome] += 1;
    if (raced.size === 0) return counts;
    // An address that conflicts yet is not found again is not a race: stop rather than loop.
    if (round >= 3) {
      throw new AppError(
        'EIMPORTCONFLICT',
        `'${options.fileName}': ${raced.size} of its addresses conflict with stored subscribers not found by their hash`,
      );
    }
    return writeBatch(
      tx,
      rows.filter((row) => raced.has(row.emailHash)),
      options,
      mode,
      counts,
      round + 1,
    );
  }

  /**
   * Imports subscribers of one newsletter from a CSV stream (UTF-8 with or without BOM, or
   * Windows-1252 when it is not UTF-8; `,`, `;` or a tab detected from the header line; columns found by
   * their French or English header names).
   * Invalid rows are counted and listed with their line; the others are imported in batches
   * (each batch its own transaction). Idempotent: the same file again gives only `unchanged`
   * (and the same `suppressed`/`skipped`). Throws a ValidationError when no column holds the
   * email.
   */
  async function importCsv(input: Readable, options: ImportOptions): Promise<ImportSummary> {
    const summary: ImportSummary = {
      newsletterId: options.newsletterId,
      isDryRun: options.isDryRun === true,
      encoding: 'utf-8',
      rows: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      suppressed: 0,
      skipped: 0,
      invalid: 0,
      invalidRows: [],
    };
    const addInvalid = (line: number, reason: string) => {
      summary.invalid += 1;
      if (summary.invalidRows.length < maxListedInvalidRows)
        summary.invalidRows.push({ line, reason });
    };
    const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const counter = { bytes: 0 };
    const first: Buffer[] = [];
    // Read up to the end of the header line to choose the delimiter.
    while (!first.some((chunk) => chunk.includes(10)) && counter.bytes < 1 << 20) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      counter.bytes += chunk.length;
      first.push(chunk);
    }
    const decoder = new CsvTextDecoder();
    // pipeline, not pipe: a read error of the file ends the decoder, hence the import, with it
    pipeline(Readable.from(replay(first, iterator, counter)), decoder, () => undefined);
    const records = readCsvRecords(decoder, {
      delimiter: detectDelimiter(headerText(Buffer.concat(first))),
      fileName: options.fileName,
      onUnreadable: addInvalid,
    });

    const run = async (executor: SubscriberStores | undefined) => {
      let columns: ColumnMap | undefined;
      let batch: ImportRow[] = [];
      let batchKeys = new Set<string>();
      // Batches being written; a dry run writes one batch at a time.
      const writing = createTaskPool(executor ? 1 : (options.concurrency ?? 1));
      // The addresses of the batches being written.
      const keysBeingWritten = new Set<Set<string>>();
      // Until an address of the file turns out to be stored, batches skip looking the stored
      // subscribers up (a first import into a fresh list never needs it).
      let isOptimistic = true;
      const write = (rows: ImportRow[]): Promise<BatchCounts> => {
        // A dry run is one transaction, which a failed statement would end: it skips conflicts.
        if (executor) {
          return writeBatch(executor, rows, options, { isOptimistic: false, onConflict: 'skip' });
        }
        const writeInTransaction = (mode: BatchMode) =>
          inTransaction(async (tx) => {
            await tx.imports.relaxCommitDurability();
            return writeBatch(tx, rows, options, mode);
          });
        // A stored address, or one another process inserted meanwhile: the batch was rolled
        // back whole, and is written again looking the addresses up and skipping conflicts.
        return writeInTransaction({ isOptimistic, onConflict: 'fail' }).catch((error: unknown) => {
          if (!stores.imports.isConflict(error)) throw error;
          log.debug({ rows: rows.length }, 'batch met stored addresses; writing it again');
          isOptimistic = false;
          return writeInTransaction({ isOptimistic: false, onConflict: 'skip' });
        });
      };
      const flush = async () => {
        const rows = batch;
        const keys = batchKeys;
        batch = [];
        batchKeys = new Set();
        if (rows.length === 0) return;
        // The next batches are parsed (and, with concurrency, written) while this one is.
        await writing.start(async () => {
          keysBeingWritten.add(keys);
          try {
            const counts = await write(rows);
            for (const outcome of importOutcomes) summary[outcome] += counts[outcome];
            options.onProgress?.({ bytesRead: counter.bytes, rows: summary.rows });
          } finally {
            keysBeingWritten.delete(keys);
          }
        });
      };
      const isBeingWritten = (key: string) => {
        for (const keys of keysBeingWritten) if (keys.has(key)) return true;
        return false;
      };
      try {
        for await (const chunk of records) {
          for (const { line, cells } of chunk) {
            if (!columns) {
              columns = mapColumns(cells, options.fileName);
              continue;
            }
            summary.rows += 1;
            const result = readRow(cells, columns, line);
            if (!result.ok) {
              addInvalid(line, result.reason);
              continue;
            }
            const { row } = result;
            const isOtherNewsletter =
              row.newsletters !== undefined && !row.newsletters.includes(options.newsletterId);
            if (isOtherNewsletter || row.isUnsubscribed) {
              summary.skipped += 1;
              continue;
            }
            // A repeated address waits for its first occurrence to be written: the later line
            // wins.
            if (batchKeys.has(row.emailHash)) await flush();
            if (isBeingWritten(row.emailHash)) await writing.drain();
            batch.push(row);
            batchKeys.add(row.emailHash);
            if (batch.length >= (options.batchSize ?? 2000)) await flush();
          }
        }
        if (!columns) mapColumns([], options.fileName);
        await flush();
        await writing.drain();
      } catch (error) {
        // batches still being written end (commit or roll back) before the database is closed
        await writing.settle();
        throw error;
      }
    };

    if (options.isDryRun) {
      await inTransaction(async (tx) => {
        await run(tx);
        throw new DryRunRollback();
      }).catch((error: unknown) => {
        if (!(error instanceof DryRunRollback)) throw error;
      });
    } else {
      await run(undefined);
    }
    summary.encoding = decoder.encoding ?? 'utf-8';
    const { invalidRows: _listed, ...counts } = summary;
    log.info({ ...counts, event: 'subscribers.imported' }, 'import finished');
    return summary;
  }

  return { importCsv };
}
