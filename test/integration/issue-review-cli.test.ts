import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { buildIssueReviewService } from '../../src/app/build-review.ts';
import { currentHashOf } from '../../src/cli/commands/issue-review.ts';
import { createEditorRepository, queryRows } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { systemClock } from '../../src/lib/index.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { pointIssueLinksAt, startLinkServer } from '../helpers/link-server.ts';
import { repoRoot, runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and a database connection: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

describe('depeche issue status|submit|approve|return on PostgreSQL', () => {
  let database: TestDatabase;
  let workDir: string;
  let issuesDir: string;
  let env: Record<string, string>;
  let links: Awaited<ReturnType<typeof startLinkServer>>;
  const osUser = commandLineActor(userInfo().username);

  const review = (requireOtherApprover = true) =>
    buildIssueReviewService({
      config: { REVIEW_REQUIRE_OTHER_APPROVER: requireOtherApprover },
      db: database.handle.db,
      clock: systemClock,
    });
  const fileOf = (key: string) => path.join(issuesDir, `${key}.yaml`);
  const depeche = (args: string[], extra: Record<string, string> = {}) =>
    runDepeche(args, { ...env, ...extra });

  beforeAll(async () => {
    database = await openTestPostgres();
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-review-cli-'));
    issuesDir = path.join(workDir, 'issues');
    await cp(path.join(repoRoot, 'issues'), issuesDir, { recursive: true });
    // Approval checks every link: they point at a local server that answers them all.
    links = await startLinkServer();
    await pointIssueLinksAt(issuesDir, links.base);
    const [{ schema } = { schema: '' }] = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    env = {
      DATABASE_URL: `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DATA_DIR: path.join(workDir, 'data'),
      ISSUES_DIR: issuesDir,
      FEED_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1',
    };
  });
  afterAll(async () => {
    await links.close();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('refuses the approval by the last changer, and records it when the setting allows it', async () => {
    const key = 'adn/2026-11';
    await review().recordSave(key, await currentHashOf(fileOf(key)), osUser);

    const submit = await depeche(['issue', 'submit', key]);
    expect(submit.code, submit.stderr).toBe(0);
    expect(submit.stdout).toContain(`Issue ${key} submitted for review by command line (`);

    const refused = await depeche(['issue', 'approve', key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `depeche: Issue ${key} cannot be approved by command line (${osUser.name}), who changed ` +
        'its content last: another editor must approve it (REVIEW_REQUIRE_OTHER_APPROVER is on)\n',
    );
    const status = await depeche(['issue', 'status', key, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'in_review', hashMatches: true });

    const allowed = await depeche(['issue', 'approve', key], {
      REVIEW_REQUIRE_OTHER_APPROVER: 'false',
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('Approved by its own author');
    const audit = await depeche(['audit', 'list', '--action', 'issue.approve', '--json']);
    const entries = JSON.parse(audit.stdout) as Array<Record<string, unknown>>;
    expect(entries).toMatchObject([
      {
        actor: osUser,
        objectType: 'issue',
        objectId: key,
        details: {
          selfApproved: true,
          note: 'approved by its own author: allowed because REVIEW_REQUIRE_OTHER_APPROVER=false',
        },
      },
    ]);
  });

  it('approves what an editor wrote, then refuses once the file changed', async () => {
    const key = 'fil-de-marianne/2026-11';
    const editor = await createEditorRepository(database.handle.db).insert(
      { email: 'ana@example.org', role: 'editor', name: 'Ana' },
      new Date(),
    );
    const ana = { kind: 'editor' as const, editorId: editor!.id, name: editor!.email };
    await review().recordSave(key, await currentHashOf(fileOf(key)), ana);
    expect((await depeche(['issue', 'submit', fileOf(key)])).code).toBe(0);
    const approve = await depeche(['issue', 'approve', key]);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`Issue ${key} approved by command line (${osUser.name})`);

    const status = await depeche(['issue', 'status', key]);
    expect(status.stdout).toContain(`Issue ${key}: approved`);
    expect(status.stdout).toContain('content:   matches the recorded version');
    expect(status.stdout).toContain('changed:   by ana@example.org on ');

    // A text editor, a git pull: the file changes without the workspace.
    await appendFile(fileOf(key), '# relu\n');
    const changed = await depeche(['issue', 'status', key, '--json']);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      state: 'draft',
      hashMatches: false,
      changedAfter: 'approval',
      review: { lastChangedBy: { kind: 'outside', name: 'outside the workspace' } },
    });
    const again = await depeche(['issue', 'approve', key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Issue ${key} changed after it was approved`);
    const gate = await review().approvalOf(key, await currentHashOf(fileOf(key)));
    expect(gate).toMatchObject({ approved: false });
    expect(gate.approved === false && gate.reason).toMatch(
      new RegExp(`^issue ${key} changed after its approval on .+ by command line \\(.+\\); `),
    );
  });

  it('sends an issue back with a comment, and refuses it without one or in draft', async () => {
    const key = 'fil-de-marianne/2026-11';
    expect((await depeche(['issue', 'submit', key])).code).toBe(0);
    const noComment = await depeche(['issue', 'return', key]);
    expect(noComment.code).toBe(1);
    expect(noComment.stderr).toContain("required option '--comment <text>' not specified");
    const empty = await depeche(['issue', 'return', key, '--comment', ' ']);
    expect(empty.stderr).toBe(
      'depeche: Review comment: a comment saying what to change is required\n',
    );
    const back = await depeche(['issue', 'return', key, '--comment', 'Date limite du CNRS ?']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('sent back to draft');
    const twice = await depeche(['issue', 'return', key, '--comment', 'encore']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`Issue ${key} is a draft, not in review`);
    const status = await depeche(['issue', 'status', key]);
    expect(status.stdout).toContain('sent back: by command line (');
    expect(status.stdout).toContain('“Date limite du CNRS ?”');
    const unknown = await depeche(['issue', 'status', 'adn/2031-01']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('adn/2031-01.yaml');
    expect(unknown.stderr).toContain('not found');
  });

  it('records the file `issue new` drafts as a draft changed at the command line', async () => {
    const made = await depeche(['issue', 'new', 'adn', '--month', '2027-01']);
    expect(made.code, made.stderr).toBe(0);
    const status = await depeche(['issue', 'status', 'adn/2027-01', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: 'draft',
      hashMatches: true,
      review: { lastChangedBy: osUser },
    });
  });
});
