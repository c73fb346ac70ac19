import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { testDatabaseUrl } from '../helpers/databases.ts';
import { repoRoot, runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and a database: slow on a busy machine, never timed here.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const mixed = path.join(repoRoot, 'test/fixtures/csv/mixed.csv');

describe('depeche subscribers (embedded database)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-cli-'));
    env = { DATA_DIR: dataDir, DATABASE_URL: '' };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports a CSV, reports bad rows with exit 1, and is a no-op the second time', async () => {
    const first = await runDepeche(
      ['subscribers', 'import', mixed, '--newsletter', 'adn', '--json'],
      env,
    );
    expect(first.code, first.stderr).toBe(1);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ created: 4, unchanged: 1, invalid: 4 });
    const again = await runDepeche(['subscribers', 'import', mixed, '--newsletter', 'adn'], env);
    expect(again.stdout).toContain('0 created, 0 updated, 5 unchanged');
    expect(again.stdout).toContain("line 6: unknown country 'Atlantis'");
  });

  it('shows stats, adds with --confirmed, and refuses a suppressed address without --force', async () => {
    const added = await runDepeche(
      [
        'subscribers',
        'add',
        'Lea@Example.org',
        '--newsletter',
        'adn',
        '--confirmed',
        '--country',
        'Mexique',
      ],
      env,
    );
    expect(added.stdout).toContain('Lea@example.org: created, adn active');
    const stats = await runDepeche(['subscribers', 'stats', '--json'], env);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      subscribers: 5,
      newsletters: [{ newsletterId: 'adn', pending: 4, active: 1, unsubscribed: 0 }],
    });
  });

  it('exports the data of an address as JSON, exports CSV, then erases the address', async () => {
    const data = await runDepeche(['subscribers', 'export-data', 'lea@example.org'], env);
    expect(data.code, data.stderr).toBe(0);
    expect(JSON.parse(data.stdout)).toMatchObject({
      subscriber: { email: 'Lea@example.org', country: 'MX' },
      subscriptions: [{ newsletterId: 'adn', status: 'active' }],
    });
    const csv = await runDepeche(['subscribers', 'export', '--status', 'active'], env);
    expect(csv.stdout.split('\n')[0]).toBe(
      'email,name,locale,country,research_field,career_stage,attributes,newsletter,status,subscribed_at,confirmed_at,unsubscribed_at',
    );
    expect(csv.stdout).toContain('Lea@example.org,,fr,MX');
    const erased = await runDepeche(['subscribers', 'erase', 'lea@example.org'], env);
    expect(erased.stdout).toContain("Erased 'lea@example.org'");
    const after = await runDepeche(['subscribers', 'export-data', 'lea@example.org'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({
      subscriber: null,
      suppression: { reason: 'erased' },
    });
    const readd = await runDepeche(
      ['subscribers', 'add', 'lea@example.org', '--newsletter', 'adn'],
      env,
    );
    expect(readd.code).toBe(1);
    expect(readd.stderr).toContain(
      "depeche: 'lea@example.org' is suppressed (erased); add --force",
    );
  });

  it('tells a second process which process holds the embedded database', async () => {
    const holder: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'test/helpers/hold-embedded-database.ts'), dataDir],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        holder.on('exit', () => reject(new Error('holder exited')));
      });
      const second = await runDepeche(['subscribers', 'stats'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `in use by process ${holder.pid} (depeche serve (test holder))`,
      );
      expect(second.stderr).toContain('DATABASE_URL');
    } finally {
      holder.kill('SIGTERM');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
  });
});

describe('depeche db migrate and subscribers on PostgreSQL', () => {
  const schema = `t_cli_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('migrates once, then imports and counts through DATABASE_URL', async () => {
    const first = await runDepeche(['db', 'migrate', '--json'], { DATABASE_URL: url });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0001_subscribers.sql');
    const second = await runDepeche(['db', 'migrate'], { DATABASE_URL: url });
    expect(second.stdout).toContain('Database is up to date.');
    await runDepeche(['subscribers', 'import', mixed, '--newsletter', 'adn', '--confirmed'], {
      DATABASE_URL: url,
    });
    const stats = await runDepeche(['subscribers', 'stats', '--json'], { DATABASE_URL: url });
    expect(JSON.parse(stats.stdout)).toMatchObject({
      newsletters: [{ newsletterId: 'adn', active: 4 }],
    });
  });
});
