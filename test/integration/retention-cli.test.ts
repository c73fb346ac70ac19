import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and an embedded database: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

describe('depeche subscribers retention (embedded database)', () => {
  let workDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-retention-cli-'));
    env = { DATA_DIR: path.join(workDir, 'data'), DATABASE_URL: '' };
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('counts with --dry-run, applies the configured periods and reports in JSON', async () => {
    const added = await runDepeche(
      ['subscribers', 'add', 'pending@example.org', '--newsletter', 'adn'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    // A request made now is not expired under the default 30 days...
    const kept = await runDepeche(['subscribers', 'retention', '--dry-run', '--json'], env);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ pendingDeleted: 0, isDryRun: true });
    // ...and the command says in words what it would do.
    const words = await runDepeche(['subscribers', 'retention', '--dry-run'], env);
    expect(words.stdout).toContain(
      '0 subscription requests unconfirmed after 30 days would be deleted',
    );
  });

  it('refuses a bad period in one line naming the variable', async () => {
    const bad = await runDepeche(['subscribers', 'retention'], {
      ...env,
      RETENTION_PENDING_DAYS: 'thirty',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/RETENTION_PENDING_DAYS/);
  });
});
