import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createComposeService } from '../../src/compose/index.ts';
import { loadNewsletter } from '../../src/content/index.ts';
import { createCandidateRepository, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { deleteRedisKeys, seedAudience, testQueuePrefix } from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { approveIssue } from '../helpers/review-fixtures.ts';
import { repoRoot, runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and a database: slow on a busy machine, never timed here.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

/** The send guards of `depeche campaign create` and `schedule`, from the command line. */
describe('depeche campaign create: the send guards', () => {
  let database: TestDatabase;
  let issuesDir: string;
  let env: Record<string, string>;
  const queuePrefix = testQueuePrefix();

  beforeAll(async () => {
    database = await openTestPostgres();
    await seedAudience(database.handle.db, 10);
    issuesDir = await mkdtemp(path.join(tmpdir(), 'depeche-guards-'));
    await cp(path.join(repoRoot, 'issues'), issuesDir, { recursive: true });
    // The skeleton `depeche issue new adn --month 2026-12` writes, « À compléter » texts included.
    await createComposeService({
      candidates: createCandidateRepository(database.handle.db),
      loadNewsletter: (id) => loadNewsletter(issuesDir, id),
      issuesDir,
      clock: fixedClock('2026-12-01T09:00:00Z'),
      logger: createSilentLogger(),
    }).draftIssue({ newsletterId: 'adn', month: '2026-12', fromCandidates: false });
    const [{ schema } = { schema: '' }] = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    env = {
      DEPECHE_ENV: 'test',
      DATABASE_URL: `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DATA_DIR: issuesDir,
      ISSUES_DIR: issuesDir,
      QUEUE_PREFIX: queuePrefix,
      SECRET_KEY: 'test-secret-key-0123456789-abcdefghijkl',
      PUBLIC_URL: 'https://news.example.org',
    };
  });
  afterAll(async () => {
    await deleteRedisKeys('redis://127.0.0.1:6379', queuePrefix);
    await database.drop();
    await rm(issuesDir, { recursive: true, force: true });
  });

  const campaignCount = async () =>
    (await queryRows(database.handle.db, sql`SELECT 1 FROM campaigns`)).length;

  it('refuses a draft with « À compléter » texts, one line per text naming file, line and field', async () => {
    const run = await runDepeche(['campaign', 'create', 'adn/2026-12'], env);
    expect(run.code).toBe(1);
    const file = path.join(issuesDir, 'adn', '2026-12.yaml');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^depeche: Campaign for adn\/2026-12 not created, \d+ problems:$/);
    const placeholder =
      'placeholder text « À compléter » left in the issue; write the real text before sending';
    for (const field of [
      'preheader',
      'introduction',
      'sections[0].items[0].title',
      'sections[0].items[0].summary',
      'sections[0].items[0].url',
    ]) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^  ${file}:\\d+: ${field.replace(/[[\].]/g, '\\$&')}: ${placeholder}$`),
        ),
      );
    }
    expect(lines).toContainEqual(
      '  review: issue adn/2026-12 is a draft, not submitted for review nor approved; a campaign is made only of an approved issue (--skip-review for emergencies, audited)',
    );
    expect(await campaignCount()).toBe(0);
  });

  it('refuses an issue that was not approved, saying so in one line', async () => {
    const run = await runDepeche(['campaign', 'create', 'adn/2026-11'], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'depeche: Campaign for adn/2026-11 not created, 1 problem:',
      '  review: issue adn/2026-11 is a draft, not submitted for review nor approved; a campaign is made only of an approved issue (--skip-review for emergencies, audited)',
    ]);
    expect(await campaignCount()).toBe(0);
  });

  it('refuses deadlines past at the planned send time, and schedule re-checks them at its time', async () => {
    await approveIssue(database.handle.db, 'fil-de-marianne/2026-11', issuesDir);
    const file = path.join(issuesDir, 'fil-de-marianne', '2026-11.yaml');
    const now = await runDepeche(['campaign', 'create', 'fil-de-marianne/2026-11'], env);
    expect(now.code).toBe(1);
    expect(now.stderr).toContain(
      `  ${file}:56: sections[0].items[2].deadline: deadline 2026-11-18 is already past on the planned send date`,
    );
    expect(now.stderr).not.toContain('review:');
    expect(await campaignCount()).toBe(0);

    // Planned for before every deadline: created.
    const early = await runDepeche(
      [
        'campaign',
        'create',
        'fil-de-marianne/2026-11',
        '--send-at',
        '2026-11-06T08:00:00Z',
        '--json',
      ],
      env,
    );
    expect(early.code, early.stderr).toBe(0);
    const { campaign } = JSON.parse(early.stdout) as { campaign: { id: number } };

    const late = await runDepeche(
      ['campaign', 'schedule', String(campaign.id), '--at', '2026-11-17T08:00:00Z'],
      env,
    );
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split('\n')).toEqual([
      'depeche: Campaign for fil-de-marianne/2026-11 not scheduled, 3 problems:',
      `  ${file}:66: sections[0].items[3].deadline: deadline 2026-11-16 is already past on the planned send date 2026-11-17; remove the item or change its deadline`,
      `  ${file}:80: sections[1].items[0].deadline: deadline 2026-11-13 is already past on the planned send date 2026-11-17; remove the item or change its deadline`,
      `  ${file}:174: sections[4].items[0].deadline: deadline 2026-11-16 is already past on the planned send date 2026-11-17; remove the item or change its deadline`,
    ]);
    const [row] = await queryRows<{ status: string }>(
      database.handle.db,
      sql`SELECT status FROM campaigns WHERE id = ${campaign.id}`,
    );
    expect(row?.status).toBe('draft');
  });

  it('creates an unapproved issue with --skip-review, recording why in the audit log', async () => {
    const run = await runDepeche(['campaign', 'create', 'adn/2026-11', '--skip-review'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('warning: review: issue adn/2026-11 is a draft');
    expect(run.stdout).toContain('Review skipped (--skip-review): recorded in the audit log.');
    const entries = await queryRows<{ object_id: string; details: Record<string, unknown> }>(
      database.handle.db,
      sql`SELECT object_id, details FROM audit_log
          WHERE action = 'campaign.create' AND details ->> 'issueKey' = 'adn/2026-11'`,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toMatchObject({
      isReviewSkipped: true,
      notApprovedReason: 'issue adn/2026-11 is a draft, not submitted for review nor approved',
    });
  });
});
