import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { buildIssueReviewService } from '../../src/app/build-review.ts';
import { currentHashOf } from '../../src/cli/commands/issue-review.ts';
import { queryRows } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { systemClock } from '../../src/lib/index.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { pointIssueLinksAt, startLinkServer } from '../helpers/link-server.ts';
import { repoRoot, runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and a database connection: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

describe('depeche issue links and the link check of issue approve (PostgreSQL, real HTTP)', () => {
  const key = 'adn/2026-11';
  let database: TestDatabase;
  let workDir: string;
  let issuesDir: string;
  let env: Record<string, string>;
  let links: Awaited<ReturnType<typeof startLinkServer>>;
  let missing: string;
  let broken: string;
  const osUser = commandLineActor(userInfo().username);
  const depeche = (args: string[], extra: Record<string, string> = {}) =>
    runDepeche(args, { ...env, ...extra });

  beforeAll(async () => {
    database = await openTestPostgres();
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-links-cli-'));
    issuesDir = path.join(workDir, 'issues');
    await cp(path.join(repoRoot, 'issues'), issuesDir, { recursive: true });
    links = await startLinkServer();
    await pointIssueLinksAt(issuesDir, links.base);
    // Two links of the sample issue fail: a 404 and a 500.
    missing = `${links.base}/www.nasa.gov/missing`;
    broken = `${links.base}/www.nsf.gov/broken`;
    const file = path.join(issuesDir, `${key}.yaml`);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text
        .replace(`${links.base}/www.nasa.gov/artemis/`, missing)
        .replace(`${links.base}/www.nsf.gov/news`, broken),
    );
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
    // An editor changed and submitted it: the OS user may approve it.
    const review = buildIssueReviewService({
      config: { REVIEW_REQUIRE_OTHER_APPROVER: true },
      db: database.handle.db,
      clock: systemClock,
    });
    const hash = await currentHashOf(file);
    const editor = commandLineActor('test-editor');
    await review.recordSave(key, hash, editor);
    await review.submit(key, hash, editor);
  });
  afterAll(async () => {
    await links.close();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('refuses the approval while links fail, one line per failing link', async () => {
    const refused = await depeche(['issue', 'approve', key]);
    expect(refused.code).toBe(1);
    const lines = refused.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `depeche: Issue ${key} cannot be approved: 2 of its 18 links fail; fix them, or mark each ` +
        'as known (depeche issue links --mark-known URL):',
    );
    expect(lines.slice(1)).toEqual([
      `  ${issuesDir}/${key}.yaml:31: sections[0].items[0].url: ${broken} — HTTP 500`,
      expect.stringMatching(
        new RegExp(
          `^ {2}.+/${key}\\.yaml:59: sections\\[\\d\\]\\.items\\[\\d\\]\\.url: ${missing} — HTTP 404$`,
        ),
      ),
    ]);
    const status = await depeche(['issue', 'status', key, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'in_review' });
  });

  it('lists the results, as text (exit 1 while one blocks) and as JSON', async () => {
    const text = await depeche(['issue', 'links', key]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `Issue ${key}:\nLinks: 18 checked, 16 ok, 2 broken, 0 marked known\n`,
    );
    expect(text.stdout).toContain(`: ${missing} — HTTP 404\n`);
    const json = await depeche(['issue', 'links', key, '--json']);
    const parsed = JSON.parse(json.stdout) as {
      summary: { broken: number };
      links: Array<{ url: string; isOk: boolean; status?: number }>;
    };
    expect(parsed.summary).toMatchObject({ checked: 18, ok: 16, broken: 2, known: 0 });
    expect(parsed.links.find((link) => link.url === missing)).toMatchObject({
      isOk: false,
      status: 404,
    });
  });

  it('refuses to request loopback addresses unless the address policy allows them', async () => {
    const run = await depeche(['issue', 'links', key, '--json'], {
      FEED_ALLOW_PRIVATE_ADDRESSES: 'false',
    });
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as {
      summary: { ok: number; broken: number };
      links: Array<{ reason?: string }>;
    };
    expect(parsed.summary).toMatchObject({ ok: 0, broken: 18 });
    expect(parsed.links[0]?.reason).toMatch(/special-purpose address \(loopback\)/);
  });

  it('refuses bad marks clearly', async () => {
    const outside = await depeche(['issue', 'links', key, '--mark-known', 'https://example.org/x']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe(
      `depeche: https://example.org/x is not a link of issue ${key}: nothing to mark\n`,
    );
    const notUrl = await depeche(['issue', 'links', key, '--mark-known', 'ftp://example.org/x']);
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toMatch(/^depeche: URL: must be an http:\/\/ or https:\/\/ URL/);
    const notMarked = await depeche(['issue', 'links', key, '--unmark', missing]);
    expect(notMarked.code).toBe(1);
    expect(notMarked.stderr).toBe(`depeche: ${missing} is not marked as known in issue ${key}\n`);
    const both = await depeche([
      'issue',
      'links',
      key,
      '--mark-known',
      missing,
      '--unmark',
      missing,
    ]);
    expect(both.stderr).toBe('depeche: --mark-known and --unmark cannot be given together\n');
    const noIssue = await depeche(['issue', 'links', 'adn/2031-01']);
    expect(noIssue.code).toBe(1);
    expect(noIssue.stderr).toContain('adn/2031-01.yaml');
    const audit = await depeche(['audit', 'list', '--action', 'issue.link-known', '--json']);
    expect(JSON.parse(audit.stdout)).toEqual([]);
  });

  it('approves once each failing link is marked known, the counts in the audit entry', async () => {
    for (const url of [missing, broken]) {
      const mark = await depeche(['issue', 'links', key, '--mark-known', url]);
      expect(mark.code, mark.stderr).toBe(0);
      expect(mark.stdout).toBe(
        `${url} of issue ${key} marked as known by command line (${osUser.name}): it no longer blocks approval.\n`,
      );
    }
    const list = await depeche(['issue', 'links', key]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Links: 18 checked, 16 ok, 0 broken, 2 marked known');
    expect(list.stdout).toContain(`: ${missing} — HTTP 404 (marked known)\n`);

    // Unmarked again, it blocks again.
    expect((await depeche(['issue', 'links', key, '--unmark', broken])).code).toBe(0);
    const blocked = await depeche(['issue', 'approve', key]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('1 of its 18 links fails; fix it');
    expect((await depeche(['issue', 'links', key, '--mark-known', broken])).code).toBe(0);

    const approve = await depeche(['issue', 'approve', key]);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`Issue ${key} approved by command line (${osUser.name})`);
    expect(approve.stdout).toContain('Links: 18 checked, 16 ok, 0 broken, 2 marked known');

    const approved = await depeche(['audit', 'list', '--action', 'issue.approve', '--json']);
    expect(JSON.parse(approved.stdout)).toMatchObject([
      {
        actor: osUser,
        objectId: key,
        details: {
          links: {
            checked: 18,
            ok: 16,
            broken: 0,
            known: 2,
            failing: [
              { url: broken, status: 500, isKnown: true },
              { url: missing, status: 404, isKnown: true },
            ],
          },
        },
      },
    ]);
    const marks = await depeche(['audit', 'list', '--action', 'issue.link-known', '--json']);
    expect(JSON.parse(marks.stdout)).toHaveLength(3);
    const unmarks = await depeche(['audit', 'list', '--action', 'issue.link-unknown', '--json']);
    expect(JSON.parse(unmarks.stdout)).toMatchObject([
      { actor: osUser, objectType: 'issue', objectId: key, details: { url: broken } },
    ]);
  });
});
