import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { type DatabaseHandle, migrate, openDatabase } from '../../src/db/index.ts';

/** PostgreSQL of the tests; each test database lives in its own schema, dropped after. */
export const testDatabaseUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A migrated database for one test file, and how to drop it. */
export interface TestDatabase {
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** A fresh migrated PGlite database in memory. */
export async function openTestPglite(): Promise<TestDatabase> {
  const handle = await openDatabase({ kind: 'pglite' });
  await migrate(handle);
  return { handle, drop: () => handle.close() };
}

/** A fresh migrated schema in the test PostgreSQL, dropped by `drop()`. */
export async function openTestPostgres(): Promise<TestDatabase> {
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const handle = await openDatabase({ kind: 'postgres', url: testDatabaseUrl, schema });
  await migrate(handle);
  return {
    handle,
    async drop() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: testDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

/** Both databases the data layer is tested on, for `describe.each`. */
export const databaseKinds = [
  { name: 'pglite', open: openTestPglite },
  { name: 'postgres', open: openTestPostgres },
] as const;
