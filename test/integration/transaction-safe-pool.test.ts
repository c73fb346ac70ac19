import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TransactionSafePool } from '../../src/db/transaction-safe-pool.ts';
import { waitFor } from '../helpers/campaign-fixtures.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';

describe('TransactionSafePool (PostgreSQL)', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  it('gives back a client whose connection died before its first query, and can still end', async () => {
    const application = `safe-pool-${process.pid}`;
    const pool = new TransactionSafePool({
      connectionString: testDatabaseUrl,
      application_name: application,
      max: 2,
    });
    const client = await pool.connect();
    client.on('error', () => undefined);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [application],
    );
    await waitFor(
      async () =>
        (
          await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
            application,
          ])
        ).rowCount === 0,
      10_000,
      'the backend to end',
    );
    // what drizzle's transaction() does: `begin` outside its try/finally
    await expect(client.query('begin')).rejects.toThrow();
    expect(pool.totalCount).toBe(0);
    expect(() => client.release()).not.toThrow();
    // a new checkout works, and end() does not wait for the lost client
    const fresh = await pool.connect();
    expect((await fresh.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    fresh.release();
    await pool.end();
  });
});
