import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../lib/index.ts';

/** Raised when another live process holds the embedded database. */
export class EmbeddedDatabaseBusyError extends AppError {
  constructor(message: string) {
    super('EDBBUSY', message);
  }
}

interface LockContent {
  pid: number;
  holder: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file of an embedded database directory: PGlite serves one process. A lock
 * left by a dead process is taken over. Returns the release function.
 */
export async function acquireEmbeddedLock(
  dir: string,
  holder: string,
): Promise<() => Promise<void>> {
  const file = path.join(dir, 'depeche.lock');
  const content: LockContent = { pid: process.pid, holder };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(content));
      await handle.close();
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await readLock(file);
      if (existing && existing.pid !== process.pid && isAlive(existing.pid)) {
        throw new EmbeddedDatabaseBusyError(
          `The embedded database in '${dir}' is in use by process ${existing.pid} (${existing.holder}). ` +
            'PGlite serves one process: stop that process, run web and workers together with ' +
            "'depeche serve', or set DATABASE_URL to use PostgreSQL.",
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new EmbeddedDatabaseBusyError(
    `Could not take the lock of the embedded database in '${dir}'.`,
  );
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid === 'number')
      return { pid: parsed.pid, holder: String(parsed.holder ?? 'unknown') };
  } catch {
    // unreadable or half-written: treated as stale
  }
  return undefined;
}
