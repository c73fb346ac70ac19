import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { verpFromConfig } from '../../src/app/build-bounces.ts';
import { queryRows } from '../../src/db/index.ts';
import { bounceFixture, bounceTestConfig, seedDelivery } from '../helpers/bounce-fixtures.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node and tsx: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

describe('depeche bounces, suppressions and campaign status (command line, PostgreSQL)', () => {
  let database: TestDatabase;
  let workDir: string;
  let env: Record<string, string>;
  const config = bounceTestConfig();
  const verp = verpFromConfig(config)!;

  beforeAll(async () => {
    database = await openTestPostgres();
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-bounces-cli-'));
    const [{ schema } = { schema: '' }] = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    env = {
      DEPECHE_ENV: 'test',
      DATABASE_URL: `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DATA_DIR: path.join(workDir, 'data'),
      SECRET_KEY: config.SECRET_KEY ?? '',
      BOUNCE_ADDRESS: 'bounces@news.example.org',
      UNSUBSCRIBE_MAILTO: 'unsubscribe@news.example.org',
    };
  });
  afterAll(async () => {
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('processes saved bounces, shows them in campaign status, and lists, adds and lifts suppressions', async () => {
    const db = database.handle.db;
    const sent = await seedDelivery(db, 'marie.dupont@univ.example.org');
    await db.execute(sql`UPDATE campaigns SET sent_count = 1 WHERE id = ${sent.campaignId}`);
    const returnPath = verp.returnPathFor(sent.deliveryId);
    const dsn = path.join(workDir, 'postfix.eml');
    await writeFile(dsn, await bounceFixture('postfix-dsn.eml', { returnPath }));
    const note = path.join(workDir, 'note.eml');
    await writeFile(note, 'From: someone@example.net\r\nSubject: hello\r\n\r\nHi.\r\n');

    const processed = await runDepeche(['bounces', 'process', dsn, note], env);
    expect(processed.code, processed.stderr).toBe(0);
    expect(processed.stdout).toContain(
      `postfix.eml: bounce, applied delivery ${sent.deliveryId} (verp): suppressed hard_bounce`,
    );
    expect(processed.stdout).toContain('note.eml: unclassified, kept');
    const again = await runDepeche(['bounces', 'process', dsn, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject([{ outcome: 'duplicate' }]);
    const missing = await runDepeche(['bounces', 'process', path.join(workDir, 'nope.eml')], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("Cannot read '");

    const status = await runDepeche(['campaign', 'status', String(sent.campaignId)], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      'bounced 1 (100.0 %: hard 1 · soft 0 · policy 0 · other 0) · complaints 0 (0.00 %)',
    );

    const list = await runDepeche(
      ['suppressions', 'list', '--reason', 'hard_bounce', '--json'],
      env,
    );
    expect(JSON.parse(list.stdout)).toMatchObject([
      { email: 'marie.dupont@univ.example.org', reason: 'hard_bounce' },
    ]);
    const badReason = await runDepeche(['suppressions', 'list', '--reason', 'bounced'], env);
    expect(badReason.code).not.toBe(0);
    expect(badReason.stderr).toContain("Unknown suppression reason 'bounced'");

    const noReason = await runDepeche(
      ['suppressions', 'lift', 'marie.dupont@univ.example.org'],
      env,
    );
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain('--reason');
    const lift = await runDepeche(
      [
        'suppressions',
        'lift',
        'Marie.Dupont@UNIV.example.org',
        '--reason',
        'new mailbox confirmed by phone',
      ],
      env,
    );
    expect(lift.code, lift.stderr).toBe(0);
    expect(lift.stdout).toContain(
      'Suppression of Marie.Dupont@univ.example.org (hard_bounce) lifted.',
    );
    const liftAgain = await runDepeche(
      ['suppressions', 'lift', 'marie.dupont@univ.example.org', '--reason', 'again'],
      env,
    );
    expect(liftAgain.code).not.toBe(0);
    expect(liftAgain.stderr).toContain('is not suppressed');

    const add = await runDepeche(
      ['suppressions', 'add', 'someone@example.net', '--reason', 'asked by phone'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    const all = await runDepeche(['suppressions', 'list'], env);
    expect(all.stdout).toMatch(/^\(erased\) [0-9a-f]{16}…\s+manual\s+\S+\s+asked by phone$/m);
    expect(all.stdout).not.toContain('marie.dupont');

    const audit = await runDepeche(['audit', 'list', '--actor', 'command line', '--json'], env);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; details: unknown }>;
    expect(entries.map((e) => e.action)).toEqual(['suppression.add', 'suppression.lift']);
    expect(entries[1]?.details).toMatchObject({ reason: 'new mailbox confirmed by phone' });
    const consent = await queryRows<{ kind: string; details: unknown }>(
      db,
      sql`SELECT kind, details FROM consent_events ORDER BY id`,
    );
    expect(consent.map((c) => c.kind)).toEqual(['bounce', 'manual']);
  });

  it('refuses to start depeche inbound without BOUNCE_ADDRESS', async () => {
    const run = await runDepeche(['inbound', '--port', '0'], { ...env, BOUNCE_ADDRESS: '' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('BOUNCE_ADDRESS is required by depeche inbound');
  });
});
