import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

import type { Clock } from '../../lib/index.ts';
import type { ImportSummary } from '../../subscribers/index.ts';

/** An uploaded CSV file waiting for its import to be confirmed, or imported already. */
export interface PendingImport {
  id: string;
  /** who uploaded it: only they may confirm it */
  editorId: number;
  newsletterId: string;
  isConfirmed: boolean;
  fileName: string;
  uploadedAt: string;
  dryRun: ImportSummary;
  /** the real import's report, once done */
  result: ImportSummary | null;
}

/** The shape of an upload id: 24 base64url characters. */
export const UploadIdSchema = z
  .string({ error: 'expected the id of an uploaded file' })
  .regex(/^[A-Za-z0-9_-]{24}$/, 'expected the id of an uploaded file');

/** Uploads older than this are deleted at the next upload. */
const maxAgeMs = 24 * 60 * 60 * 1000;

/**
 * The uploaded import files of the workspace, kept server-side between the dry run and the
 * confirmation: `<dir>/<id>.csv` (the file as uploaded) and `<dir>/<id>.json` (who, for which
 * newsletter, the reports). The id is random (144 bits); the confirmation renames the file
 * before importing it, so a second click finds nothing to import.
 */
export function createImportUploads(dir: string, clock: Clock) {
  const csvOf = (id: string) => path.join(dir, `${id}.csv`);
  const jsonOf = (id: string) => path.join(dir, `${id}.json`);

  async function sweep(): Promise<void> {
    const cutoff = clock.now().getTime() - maxAgeMs;
    for (const file of await readdir(dir).catch(() => [])) {
      const where = path.join(dir, file);
      const info = await stat(where).catch(() => null);
      if (info !== null && info.mtimeMs < cutoff) await rm(where, { force: true });
    }
  }

  return {
    /** Keeps an uploaded file; returns its id and where it is. */
    async save(data: Buffer): Promise<{ id: string; file: string }> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await sweep();
      const id = randomBytes(18).toString('base64url');
      await writeFile(csvOf(id), data, { mode: 0o600 });
      return { id, file: csvOf(id) };
    },

    /** Records the upload's details and dry run. */
    async describe(pending: PendingImport): Promise<void> {
      await writeFile(jsonOf(pending.id), JSON.stringify(pending), { mode: 0o600 });
    },

    /** The upload `id`, or null when unknown or swept. */
    async load(id: string): Promise<PendingImport | null> {
      if (!UploadIdSchema.safeParse(id).success) return null;
      const text = await readFile(jsonOf(id), 'utf8').catch(() => null);
      return text === null ? null : (JSON.parse(text) as PendingImport);
    },

    /**
     * Takes the file of upload `id` for its import: returns where it now is, or null when it
     * was taken already (imported, being imported) or swept.
     */
    async claim(id: string): Promise<string | null> {
      const claimed = path.join(dir, `${id}.importing`);
      try {
        await rename(csvOf(id), claimed);
        return claimed;
      } catch {
        return null;
      }
    },

    /** Deletes a file (the claimed one after its import, or a file that could not be read). */
    async discard(file: string): Promise<void> {
      await rm(file, { force: true });
    },
  };
}

/** @see createImportUploads */
export type ImportUploads = ReturnType<typeof createImportUploads>;
