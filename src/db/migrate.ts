import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sql } from 'drizzle-orm';

import { AppError } from '../lib/index.ts';
import { type DatabaseHandle, queryRows } from './client.ts';

/** Folder of the checked-in migrations, applied in file-name order. */
export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** One migration file. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads the migration files of `dir`. */
export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (name) => {
      const text = await readFile(path.join(dir, name), 'utf8');
      return { name, sql: text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction:
 * a failing migration leaves the schema as it was. Running it again applies nothing.
 * Returns the names applied.
 */
export async function migrate(handle: DatabaseHandle, migrations?: Migration[]): Promise<string[]> {
  const list = migrations ?? (await loadMigrations());
  await handle.db.execute(sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const applied: string[] = [];
  for (const migration of list) {
    try {
      await handle.migrationTransaction(async (tx, exec) => {
        // Checked inside the transaction, after the lock, so that concurrent starts agree.
        const found = await queryRows<{ name: string }>(
          tx,
          sql`SELECT name FROM schema_migrations WHERE name = ${migration.name}`,
        );
        if (found.length > 0) return;
        await exec(migration.sql);
        await tx.execute(
          sql`INSERT INTO schema_migrations (name, checksum) VALUES (${migration.name}, ${migration.checksum})`,
        );
        applied.push(migration.name);
      });
    } catch (error) {
      throw new AppError(
        'EMIGRATION',
        `Migration '${migration.name}' failed and was rolled back: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return applied;
}
