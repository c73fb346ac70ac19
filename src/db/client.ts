import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';

import { acquireEmbeddedLock } from './embedded-lock.ts';
import * as schema from './schema/index.ts';
import { TransactionSafePool } from './transaction-safe-pool.ts';

/** The typed query layer, the same type over PostgreSQL and PGlite. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction or the database itself: repositories accept either. */
export type Executor = Pick<
  Database,
  'select' | 'insert' | 'update' | 'delete' | 'execute' | 'transaction' | '$with' | 'with'
>;

/**
 * Runs raw SQL and returns its rows, the same over both drivers (each returns `{ rows }`).
 * Use it for what the query builder cannot say; the type parameter is trusted, not checked.
 */
export async function queryRows<Row>(db: Pick<Database, 'execute'>, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/** An open database with the driver-level operations the migration runner needs. */
export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction holding the migration lock; `exec` runs a multi-statement
   * SQL script in that transaction. Nothing stays if `work` throws.
   */
  migrationTransaction(
    work: (tx: Database, exec: (script: string) => Promise<void>) => Promise<void>,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Where to open the database. */
export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      /** search_path, for isolated test schemas */ schema?: string;
      poolSize?: number;
    }
  | {
      kind: 'pglite';
      /** directory of the data files; omit for an in-memory database */ dataDir?: string;
      holder?: string;
    };

/** Opens PostgreSQL through a `pg` pool, or PGlite embedded in this process. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === 'postgres' ? openPostgres(target) : openPglite(target);
}

function openPostgres(target: Extract<DatabaseTarget, { kind: 'postgres' }>): DatabaseHandle {
  const pool = new TransactionSafePool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it. A
  // client in use losing it (the server restarted mid-import) has no listener of pg-pool's: its
  // query rejects, and this keeps the 'error' event from crashing the process as well.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzleNodePg(pool, { schema }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    async migrationTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(4242001)');
        await work(drizzleNodePg(client, { schema }) as unknown as Database, async (script) => {
          await client.query(script);
        });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(
  target: Extract<DatabaseTarget, { kind: 'pglite' }>,
): Promise<DatabaseHandle> {
  let releaseLock: (() => Promise<void>) | undefined;
  let client: PGlite;
  if (target.dataDir) {
    const dir = path.resolve(target.dataDir);
    await mkdir(dir, { recursive: true });
    releaseLock = await acquireEmbeddedLock(dir, target.holder ?? 'depeche');
    client = new PGlite(path.join(dir, 'pgdata'));
  } else {
    client = new PGlite();
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    async migrationTransaction(work) {
      await client.transaction(async (tx) => {
        await work(
          drizzlePglite(tx as unknown as PGlite, { schema }) as unknown as Database,
          async (script) => {
            await tx.exec(script);
          },
        );
      });
    },
    async close() {
      await client.close();
      await releaseLock?.();
    },
  };
}
