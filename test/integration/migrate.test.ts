import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { migrate, queryRows } from '../../src/db/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

describe.each(databaseKinds)('migrations on $name', ({ open }) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('applies every migration once and nothing on a second run', async () => {
    database = await open();
    const again = await migrate(database.handle);
    expect(again).toEqual([]);
    const rows = await queryRows<{ name: string }>(
      database.handle.db,
      sql`SELECT name FROM schema_migrations ORDER BY name`,
    );
    expect(rows.map((row) => row.name)).toContain('0001_subscribers.sql');
  });

  it('rolls a failing migration back whole, leaving the schema as it was', async () => {
    database = await open();
    const broken = {
      name: '9999_broken.sql',
      checksum: 'x',
      sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
    };
    await expect(migrate(database.handle, [broken])).rejects.toThrow(/9999_broken.sql/);
    const tables = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`,
    );
    expect(tables[0]?.n).toBe(0);
    const recorded = await queryRows<{ name: string }>(
      database.handle.db,
      sql`SELECT name FROM schema_migrations WHERE name = '9999_broken.sql'`,
    );
    expect(recorded).toEqual([]);
  });
});
