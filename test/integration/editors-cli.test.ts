import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and an embedded database: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const depeche = runDepeche;

describe('depeche editors and audit (embedded database)', () => {
  let workDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-editors-cli-'));
    env = { DATA_DIR: path.join(workDir, 'data'), DATABASE_URL: '' };
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('adds, lists, changes and disables accounts, each audited with the OS user', async () => {
    const add = await depeche(
      ['editors', 'add', 'Chef@example.org', '--role', 'admin', '--name', 'Chef'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Editor chef@example.org added as admin.');
    const second = await depeche(['editors', 'add', 'pm@example.org', '--role', 'editor'], env);
    expect(second.code, second.stderr).toBe(0);

    const role = await depeche(['editors', 'role', 'pm@example.org', 'publisher'], env);
    expect(role.stdout).toContain('Editor pm@example.org is publisher.');
    const disable = await depeche(['editors', 'disable', 'pm@example.org'], env);
    expect(disable.stdout).toContain('Editor pm@example.org is disabled.');

    const list = await depeche(['editors', 'list', '--json'], env);
    const accounts = JSON.parse(list.stdout) as Array<{
      email: string;
      role: string;
      disabledAt: unknown;
    }>;
    expect(accounts.map((a) => [a.email, a.role, a.disabledAt !== null])).toEqual([
      ['chef@example.org', 'admin', false],
      ['pm@example.org', 'publisher', true],
    ]);

    const audit = await depeche(['audit', 'list', '--actor', 'command line', '--json'], env);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; actor: unknown }>;
    expect(entries.map((e) => e.action)).toEqual([
      'editor.disable',
      'editor.role',
      'editor.add',
      'editor.add',
    ]);
    expect(entries[0]?.actor).toEqual({ kind: 'command-line', name: userInfo().username });
    const text = await depeche(['audit', 'list', '--since', '2000-01-01'], env);
    expect(text.stdout).toContain(`command line (${userInfo().username})`);
    const future = await depeche(['audit', 'list', '--since', '2999-01-01'], env);
    expect(future.stdout).toContain('No audit entries.');
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const badRole = await depeche(['editors', 'add', 'x@example.org', '--role', 'boss'], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toBe(
      'depeche: Invalid editor account: role "boss": expected one of editor, publisher, admin\n',
    );
    const badEmail = await depeche(['editors', 'add', 'not-an-address', '--role', 'editor'], env);
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain('email "not-an-address": expected an email address');
    expect(badEmail.stderr).not.toContain('unexpected error');
    const unknown = await depeche(['editors', 'disable', 'ghost@example.org'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No editor account has the address 'ghost@example.org'");
    const badSince = await depeche(['audit', 'list', '--since', 'yesterday'], env);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr).toContain("--since 'yesterday' is not an ISO 8601 date");
  });
});
