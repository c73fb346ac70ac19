import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  IssueConflictError,
  IssueFileExistsError,
  IssueFileInvalidError,
  IssueFileNotFoundError,
} from './errors.ts';
import type { Issue } from './issue.ts';
import type { IssueCommitter } from './issue-committer.ts';
import { readIssueDocument } from './issue-file.ts';
import { updateIssueText } from './update-issue-text.ts';
import { checkIssueEdit, createIssueDocument, saveIssueFile } from './write-issue-file.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depeche-issue-file-'));
  await cp('issues/fil-de-marianne', join(dir, 'fil-de-marianne'), { recursive: true });
  file = join(dir, 'fil-de-marianne', '2026-11.yaml');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const opened = async () => {
  const document = await readIssueDocument(file, { issuesDir: dir });
  if (!document.issue) throw new Error('the sample issue should be valid');
  return { ...document, issue: document.issue };
};

describe('readIssueDocument', () => {
  it('returns the text, the hash of the bytes and the validated issue', async () => {
    const document = await readIssueDocument(file, { issuesDir: dir });
    expect(document.text).toBe(await readFile(file, 'utf8'));
    expect(document.hash).toBe(sha256(await readFile(file)));
    expect(document.problems).toEqual([]);
    expect(document.issue?.newsletter).toBe('fil-de-marianne');
  });

  it('returns the problems `depeche check` reports, placement included, and no issue', async () => {
    const moved = join(dir, 'fil-de-marianne', '2026-12.yaml');
    await cp(file, moved);
    const document = await readIssueDocument(moved, { issuesDir: dir });
    expect(document.issue).toBeUndefined();
    expect(document.problems.map((p) => p.message)).toEqual([
      "file name '2026-12.yaml' does not match the issue date 2026-11-05; name it '2026-11.yaml'",
    ]);
    const broken = await readIssueDocument('test/fixtures/issues/adn/2026-01.yaml');
    expect(broken.problems).toHaveLength(8);
  });

  it('throws IssueFileNotFoundError for a missing file', async () => {
    const error = await readIssueDocument(join(dir, 'fil-de-marianne', '1999-01.yaml')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IssueFileNotFoundError);
    expect((error as Error).message).toContain("1999-01.yaml' not found");
  });
});

describe('saveIssueFile', () => {
  it('writes the edited issue onto the file and says what changed', async () => {
    const { hash, text, issue } = await opened();
    const next: Issue = structuredClone(issue);
    next.subject = 'Nouveau sujet';
    const saved = await saveIssueFile({ file, expectedHash: hash, next, issuesDir: dir });
    expect(saved.text).toBe(updateIssueText(text, next));
    expect(await readFile(file, 'utf8')).toBe(saved.text);
    expect(saved.hash).toBe(sha256(await readFile(file)));
    expect(saved.changes).toEqual(['subject']);
    expect(saved.isCommitted).toBe(false);
    expect(await readdir(join(dir, 'fil-de-marianne'))).toEqual([
      '2026-11.yaml',
      'newsletter.yaml',
    ]);
  });

  it('refuses with both versions when the file changed since it was opened, writing nothing', async () => {
    const { hash, issue } = await opened();
    const edited = `${await readFile(file, 'utf8')}# edited from the command line\n`;
    await writeFile(file, edited);
    const error = await saveIssueFile({
      file,
      expectedHash: hash,
      next: issue,
      issuesDir: dir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssueConflictError);
    const conflict = error as IssueConflictError;
    expect(conflict.code).toBe('EISSUECONFLICT');
    expect(conflict.file).toBe(file);
    expect(conflict.expectedHash).toBe(hash);
    expect(conflict.currentText).toBe(edited);
    expect(conflict.currentHash).toBe(sha256(Buffer.from(edited)));
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('refuses an invalid issue with every problem at its path, writing nothing', async () => {
    const { hash, text, issue } = await opened();
    const next = structuredClone(issue);
    next.sections[0]!.items[0]!.title = '  ';
    (next.sections[1]!.items[0] as { url: string }).url = 'not a url';
    const error = await saveIssueFile({ file, expectedHash: hash, next, issuesDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IssueFileInvalidError);
    expect((error as IssueFileInvalidError).problems.map((p) => [p.location, p.message])).toEqual([
      ['sections[0].items[0].title', 'must not be empty'],
      ['sections[1].items[0].url', expect.stringContaining('not a url')],
    ]);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('refuses what `depeche check` would refuse (an unknown section, a duplicate link)', async () => {
    const { hash, text, issue } = await opened();
    const next = structuredClone(issue);
    next.sections[0]!.id = 'rubrique-inconnue';
    next.sections[1]!.items[0]!.url = next.sections[2]!.items[0]!.url;
    const error = await saveIssueFile({ file, expectedHash: hash, next, issuesDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IssueFileInvalidError);
    const problems = (error as IssueFileInvalidError).problems;
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("unknown section 'rubrique-inconnue'"),
      expect.stringContaining('duplicate link'),
    ]);
    expect(problems.every((p) => p.line !== undefined)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('refuses a number another issue of the newsletter has, as `depeche check` does', async () => {
    const { hash, text, issue } = await opened();
    await writeFile(
      join(dir, 'fil-de-marianne', '2026-12.yaml'),
      text
        .replace(/^number: \d+$/m, 'number: 30')
        .replace(/^date: 2026-11-05$/m, 'date: 2026-12-01'),
    );
    const error = await saveIssueFile({
      file,
      expectedHash: hash,
      next: { ...issue, number: 30 },
      issuesDir: dir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssueFileInvalidError);
    expect((error as IssueFileInvalidError).problems).toEqual([
      expect.objectContaining({
        location: 'number',
        line: 2,
        message: `issue number 30 of newsletter 'fil-de-marianne' is already used by '${join(dir, 'fil-de-marianne', '2026-12.yaml')}'`,
      }),
    ]);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('writes nothing and commits nothing when the issue did not change', async () => {
    const committer: IssueCommitter = { commit: vi.fn().mockResolvedValue(true) };
    const { hash, text, issue } = await opened();
    const saved = await saveIssueFile({
      file,
      expectedHash: hash,
      next: issue,
      issuesDir: dir,
      committer,
      author: { name: 'Claire', email: 'claire@example.org' },
    });
    expect(saved).toEqual({ hash, text, changes: [], isCommitted: false });
    expect(committer.commit).not.toHaveBeenCalled();
  });

  it('commits a change through the committer, with the issue key and the changes', async () => {
    const committer: IssueCommitter = { commit: vi.fn().mockResolvedValue(true) };
    const { hash, issue } = await opened();
    const next = structuredClone(issue);
    next.subject = 'Nouveau sujet';
    next.preheader = 'Nouveau chapeau';
    const author = { name: 'Claire', email: 'claire@example.org' };
    const saved = await saveIssueFile({
      file,
      expectedHash: hash,
      next,
      issuesDir: dir,
      committer,
      author,
    });
    expect(saved.isCommitted).toBe(true);
    expect(committer.commit).toHaveBeenCalledWith({
      file,
      author,
      message: 'Issue fil-de-marianne/2026-11: subject, preheader\n\n- subject\n- preheader',
    });
  });

  it('throws IssueFileNotFoundError when the file was removed', async () => {
    const { hash, issue } = await opened();
    await rm(file);
    await expect(
      saveIssueFile({ file, expectedHash: hash, next: issue, issuesDir: dir }),
    ).rejects.toBeInstanceOf(IssueFileNotFoundError);
  });
});

describe('checkIssueEdit', () => {
  it('gives the problems a save would be refused with, writing nothing', async () => {
    const { text, issue } = await opened();
    const form: unknown = { ...structuredClone(issue), number: 'vingt', subject: '' };
    const schema = await checkIssueEdit(file, text, form, { issuesDir: dir });
    expect(schema.text).toBeUndefined();
    expect(schema.problems.map((p) => [p.location, p.message])).toEqual([
      ['number', "must be a number, got 'vingt'"],
      ['subject', 'must not be empty'],
    ]);
    const next = structuredClone(issue);
    next.sections[0]!.id = 'rubrique-inconnue';
    const check = await checkIssueEdit(file, text, next, { issuesDir: dir });
    expect(check.issue).toBeUndefined();
    expect(check.problems).toEqual([
      expect.objectContaining({ location: 'sections[0].id', line: expect.any(Number) as number }),
    ]);
    const fine = await checkIssueEdit(file, text, issue, { issuesDir: dir });
    expect(fine).toEqual({ text, issue, problems: [] });
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

describe('createIssueDocument', () => {
  it('creates the file of a new month with its comment, never over an existing one', async () => {
    const next: Issue = {
      newsletter: 'fil-de-marianne',
      number: 22,
      date: '2026-12-01',
      subject: 'Le fil n° 22',
      preheader: 'Chapeau',
      introduction: 'Introduction.',
      sections: [
        {
          id: 'postes',
          items: [{ kind: 'news', title: 'T', summary: 'S', url: 'https://example.org/t' }],
        },
      ],
    };
    const created = join(dir, 'fil-de-marianne', '2026-12.yaml');
    const document = await createIssueDocument(created, next, 'Drafted in the workspace', {
      issuesDir: dir,
    });
    expect(
      document.text.startsWith('# Drafted in the workspace\nnewsletter: fil-de-marianne\n'),
    ).toBe(true);
    expect(document.issue).toEqual(next);
    expect(await readFile(created, 'utf8')).toBe(document.text);
    await expect(
      createIssueDocument(created, next, 'again', { issuesDir: dir }),
    ).rejects.toBeInstanceOf(IssueFileExistsError);
  });

  it('refuses an issue that would not pass check, writing nothing', async () => {
    const { issue } = await opened();
    const created = join(dir, 'fil-de-marianne', '2027-01.yaml');
    await expect(
      createIssueDocument(created, { ...issue, date: '2026-12-01' }, 'x', { issuesDir: dir }),
    ).rejects.toBeInstanceOf(IssueFileInvalidError);
    await expect(readFile(created)).rejects.toThrow();
  });
});
