import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createIssueFileService, type IssueWriter } from '../../src/compose/index.ts';
import {
  createGitIssueCommitter,
  createNewsletterLoader,
  IssueConflictError,
  IssueFileExistsError,
  IssueFileInvalidError,
  IssueFileNotFoundError,
  runCheck,
} from '../../src/content/index.ts';
import {
  createAuditRepository,
  createEditorRepository,
  type Database,
} from '../../src/db/index.ts';
import { createLogger, createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

const git = promisify(execFile);
const now = new Date('2026-12-03T09:00:00Z');

describe.each(databaseKinds)('the issue-file service on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;
  let writer: IssueWriter;
  let dir: string;

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
    const account = await createEditorRepository(db).insert(
      { email: 'claire@example.org', name: 'Claire Dupont', role: 'editor' },
      now,
    );
    if (!account) throw new Error('no editor');
    writer = {
      kind: 'editor',
      editorId: account.id,
      name: account.email,
      displayName: account.name,
    };
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'depeche-issue-service-'));
    await cp('issues', dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const build = () =>
    createIssueFileService({
      issuesDir: dir,
      loadNewsletter: createNewsletterLoader(dir),
      audit: createAuditRepository(db),
      clock: fixedClock(now),
      logger: createSilentLogger(),
    });
  const latestAudit = async (action: string) =>
    (await createAuditRepository(db).list({ action, limit: 1 }))[0];

  it('creates the month with the next number, the date and every section, and audits it', async () => {
    const service = build();
    const created = await service.create('adn', '2026-12', writer);
    expect(created.problems).toEqual([]);
    expect(created.issue).toMatchObject({ newsletter: 'adn', number: 35, date: '2026-12-03' });
    const newsletter = await createNewsletterLoader(dir)('adn');
    expect(created.issue?.sections.map((s) => s.id)).toEqual(newsletter.sections.map((s) => s.id));
    const file = path.join(dir, 'adn', '2026-12.yaml');
    expect(await readFile(file, 'utf8')).toBe(created.text);
    expect((await runCheck([file], { issuesDir: dir })).problems).toEqual([]);
    expect(await latestAudit('issue.create')).toMatchObject({
      actor: { kind: 'editor', editorId: writer.kind === 'editor' ? writer.editorId : 0 },
      objectType: 'issue',
      objectId: 'adn/2026-12',
      details: { hash: created.hash, number: 35, committed: false },
    });
    await expect(service.create('adn', '2026-12', writer)).rejects.toBeInstanceOf(
      IssueFileExistsError,
    );
  });

  it('opens, saves with the hash, and audits the new hash and what changed', async () => {
    const service = build();
    const opened = await service.open('adn', '2026-11');
    const next = structuredClone(opened.issue!);
    next.subject = 'AdN n° 34 — un sujet revu';
    next.sections[0]!.items.splice(1, 1);
    const saved = await service.save('adn', '2026-11', opened.hash, next, writer);
    expect(saved.changes).toEqual([
      'subject',
      expect.stringMatching(/^section agences: item '.+' removed$/),
    ]);
    expect(saved.issueKey).toBe('adn/2026-11');
    const reopened = await service.open('adn', '2026-11');
    expect(reopened.hash).toBe(saved.hash);
    expect(reopened.issue).toEqual(next);
    const entry = await latestAudit('issue.save');
    expect(entry).toMatchObject({
      actor: { kind: 'editor', name: 'claire@example.org' },
      objectId: 'adn/2026-11',
      details: {
        hash: saved.hash,
        previousHash: opened.hash,
        changes: saved.changes,
        committed: false,
      },
    });
  });

  it('refuses a stale save and an invalid one without writing or auditing', async () => {
    const service = build();
    const opened = await service.open('adn', '2026-11');
    const file = path.join(dir, 'adn', '2026-11.yaml');
    const before = await createAuditRepository(db).list({ action: 'issue.save' });
    const next = structuredClone(opened.issue!);
    next.subject = '';
    await expect(service.save('adn', '2026-11', opened.hash, next, writer)).rejects.toBeInstanceOf(
      IssueFileInvalidError,
    );
    await writeFile(file, `${opened.text}# pulled from git\n`);
    next.subject = 'Un sujet';
    await expect(service.save('adn', '2026-11', opened.hash, next, writer)).rejects.toBeInstanceOf(
      IssueConflictError,
    );
    expect(await readFile(file, 'utf8')).toBe(`${opened.text}# pulled from git\n`);
    expect(await createAuditRepository(db).list({ action: 'issue.save' })).toHaveLength(
      before.length,
    );
  });

  it('lets one of two saves of the same version through and refuses the other', async () => {
    const service = build();
    const opened = await service.open('adn', '2026-11');
    const first = { ...structuredClone(opened.issue!), subject: 'Premier' };
    const second = { ...structuredClone(opened.issue!), subject: 'Second' };
    const results = await Promise.allSettled([
      service.save('adn', '2026-11', opened.hash, first, writer),
      service.save('adn', '2026-11', opened.hash, second, writer),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(IssueConflictError);
  });

  it('checks a form before a save, in the words of check, writing nothing', async () => {
    const service = build();
    const opened = await service.open('adn', '2026-11');
    const form: unknown = { ...structuredClone(opened.issue!), date: '2026-12-01' };
    expect(await service.check('adn', '2026-11', form)).toEqual([
      expect.objectContaining({
        location: 'date',
        message: expect.stringContaining('does not match the issue date 2026-12-01') as string,
      }),
    ]);
    expect(await service.check('adn', '2026-11', opened.issue)).toEqual([]);
    expect((await service.open('adn', '2026-11')).hash).toBe(opened.hash);
  });

  it('names a missing month and refuses a malformed one', async () => {
    const service = build();
    await expect(service.open('adn', '1999-01')).rejects.toBeInstanceOf(IssueFileNotFoundError);
    await expect(service.open('adn', '2026-13')).rejects.toThrow("Month '2026-13'");
    await expect(service.open('../adn', '2026-11')).rejects.toThrow(
      "Invalid newsletter id '../adn'",
    );
  });
});

describe('saves committed to git (ISSUES_GIT_COMMIT)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'depeche-issue-git-'));
    await cp('issues', dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const initRepository = async () => {
    const run = (...args: string[]) => git('git', ['-C', dir, ...args]);
    await run('init', '--quiet');
    await run('add', '.');
    await run(
      '-c',
      'user.name=Setup',
      '-c',
      'user.email=setup@example.org',
      'commit',
      '--quiet',
      '-m',
      'issues',
    );
    return run;
  };
  const logLines = () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'info',
      destination: {
        write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
      },
    });
    return { lines, logger };
  };
  const audit = { append: async () => ({}) as never };
  const writer: IssueWriter = {
    kind: 'editor',
    editorId: 7,
    name: 'claire@example.org',
    displayName: 'Claire Dupont',
  };

  it('commits the saved file alone, authored by the editor, with the changes in the message', async () => {
    const run = await initRepository();
    await writeFile(path.join(dir, 'adn', 'newsletter.yaml'), '# an unrelated local edit\n', {
      flag: 'a',
    });
    const { logger } = logLines();
    const service = createIssueFileService({
      issuesDir: dir,
      loadNewsletter: createNewsletterLoader(dir),
      committer: createGitIssueCommitter({ logger }),
      audit,
      clock: fixedClock(now),
      logger,
    });
    const opened = await service.open('fil-de-marianne', '2026-11');
    const next = { ...structuredClone(opened.issue!), subject: 'Nouveau sujet' };
    const saved = await service.save('fil-de-marianne', '2026-11', opened.hash, next, writer);
    expect(saved.isCommitted).toBe(true);
    const { stdout } = await run('log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', '--name-only');
    expect(stdout.trim().split('\n')).toEqual([
      'Claire Dupont <claire@example.org>|Claire Dupont <claire@example.org>|Issue fil-de-marianne/2026-11: subject',
      '',
      'fil-de-marianne/2026-11.yaml',
    ]);
    const status = await run('status', '--porcelain');
    expect(status.stdout.trim()).toBe('M adn/newsletter.yaml');

    const created = await service.create('fil-de-marianne', '2026-12', writer);
    expect(created.problems).toEqual([]);
    const last = await run('log', '-1', '--format=%s', '--name-only');
    expect(last.stdout.trim().split('\n')).toEqual([
      'Issue fil-de-marianne/2026-12: created',
      '',
      'fil-de-marianne/2026-12.yaml',
    ]);
  });

  it('still saves when the folder is not a git work tree, and warns once', async () => {
    const { lines, logger } = logLines();
    const service = createIssueFileService({
      issuesDir: dir,
      loadNewsletter: createNewsletterLoader(dir),
      committer: createGitIssueCommitter({ logger }),
      audit,
      clock: fixedClock(now),
      logger,
    });
    for (const subject of ['Un', 'Deux']) {
      const opened = await service.open('adn', '2026-11');
      const next = { ...structuredClone(opened.issue!), subject };
      const saved = await service.save('adn', '2026-11', opened.hash, next, writer);
      expect(saved.isCommitted).toBe(false);
    }
    expect((await service.open('adn', '2026-11')).issue?.subject).toBe('Deux');
    expect(lines.filter((line) => line.event === 'issues.git.unavailable')).toHaveLength(1);
  });

  it('still saves when git is missing, and says so', async () => {
    await initRepository();
    const { lines, logger } = logLines();
    const committer = createGitIssueCommitter({ logger, gitBinary: path.join(dir, 'no-git-here') });
    const service = createIssueFileService({
      issuesDir: dir,
      loadNewsletter: createNewsletterLoader(dir),
      committer,
      audit,
      clock: fixedClock(now),
      logger,
    });
    const opened = await service.open('adn', '2026-11');
    const saved = await service.save(
      'adn',
      '2026-11',
      opened.hash,
      { ...opened.issue!, subject: 'Trois' },
      writer,
    );
    expect(saved.isCommitted).toBe(false);
    expect(lines.find((line) => line.event === 'issues.git.unavailable')).toMatchObject({
      reason: 'git not found',
    });
  });
});
