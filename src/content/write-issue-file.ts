import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { parse, stringify } from 'yaml';

import type { CheckProblem } from './check-problem.ts';
import { IssueConflictError, IssueFileExistsError, IssueFileInvalidError } from './errors.ts';
import { type Issue, issueKey, IssueSchema } from './issue.ts';
import type { IssueAuthor, IssueCommitter } from './issue-committer.ts';
import { diffIssueSummary } from './issue-diff.ts';
import {
  hashIssueText,
  type IssueDocument,
  type IssueFileOptions,
  readIssueBytes,
  validateIssueDocument,
} from './issue-file.ts';
import { updateIssueText } from './update-issue-text.ts';
import { zodProblems } from './yaml-document.ts';

/** The YAML text of a new issue file, with a leading comment for the editor. */
export function formatIssueFile(issue: Issue, comment: string): string {
  const body = stringify(issue, { lineWidth: 100, indent: 2 });
  const header = comment
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  return `${header}\n${body}`;
}

/**
 * Creates an issue file; throws {@link IssueFileExistsError} when one is already there (the
 * check and the creation are one atomic step: `wx`).
 */
export async function createIssueFile(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, text, { encoding: 'utf8', flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new IssueFileExistsError(file);
    throw error;
  }
}

/** Removes an issue file just created, when what should follow its creation failed. */
export async function removeIssueFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/** Version control of a write: the committer and who the version is by. */
export interface IssueCommitOptions {
  committer?: IssueCommitter | undefined;
  /** Without an author nothing is committed. */
  author?: IssueAuthor | undefined;
}

/**
 * Creates the issue file of a new month from `issue` (with `comment` on top), after checking it
 * as `depeche check` does; commits it when a committer and author are given.
 * @throws IssueFileInvalidError (nothing written); IssueFileExistsError when the file exists.
 */
export async function createIssueDocument(
  file: string,
  issue: Issue,
  comment: string,
  options: IssueFileOptions & IssueCommitOptions = {},
): Promise<IssueDocument & { isCommitted: boolean }> {
  const text = formatIssueFile(issue, comment);
  const document = await validateIssueDocument(file, Buffer.from(text, 'utf8'), options);
  if (!document.issue) throw new IssueFileInvalidError(file, document.problems);
  await createIssueFile(file, text);
  const isCommitted = await commit(file, `Issue ${issueKey(issue)}: created`, [], options);
  return { ...document, isCommitted };
}

/** What {@link saveIssueFile} needs. */
export interface SaveIssueRequest extends IssueFileOptions, IssueCommitOptions {
  file: string;
  /** The hash of the version the editor opened (`IssueDocument.hash`). */
  expectedHash: string;
  /** The issue as the editor wants it. */
  next: Issue;
}

/** What a save wrote. */
export interface SavedIssue {
  /** The hash of the file now. */
  hash: string;
  text: string;
  /** What changed, one short line each (see `diffIssueSummary`); empty when nothing did. */
  changes: string[];
  isCommitted: boolean;
}

/**
 * Saves an edited issue onto its file, keeping the file's comments and layout (see
 * `updateIssueText`). Refused, with nothing written, when the file is no longer the version the
 * editor opened, or when the result would not pass `depeche check`. The write is atomic: a
 * temporary file in the same folder, flushed, then renamed over the file. A save that changes
 * nothing writes nothing.
 * @throws IssueConflictError when the file's hash is not `expectedHash`; IssueFileInvalidError
 *   listing every problem of `next`; IssueFileNotFoundError when the file is gone.
 */
export async function saveIssueFile(request: SaveIssueRequest): Promise<SavedIssue> {
  const { file } = request;
  const bytes = await readIssueBytes(file);
  const currentHash = hashIssueText(bytes);
  const currentText = bytes.toString('utf8');
  if (currentHash !== request.expectedHash) {
    throw new IssueConflictError(file, {
      expectedHash: request.expectedHash,
      currentText,
      currentHash,
    });
  }
  const edit = await checkIssueEdit(file, currentText, request.next, request);
  if (edit.text === currentText) {
    return { hash: currentHash, text: currentText, changes: [], isCommitted: false };
  }
  if (!edit.issue || edit.text === undefined) throw new IssueFileInvalidError(file, edit.problems);

  await writeFileAtomically(file, edit.text);
  const changes = diffIssueSummary(parseQuietly(currentText), edit.issue);
  const isCommitted = await commit(
    file,
    `Issue ${issueKey(edit.issue)}: ${summaryLine(changes)}`,
    changes,
    request,
  );
  return { hash: hashIssueText(edit.text), text: edit.text, changes, isCommitted };
}

/** What an edit of an issue file would give (see {@link checkIssueEdit}). */
export interface IssueEdit {
  /** The file's text after the edit; absent when `next` is not an issue at all. */
  text?: string;
  /** Present exactly when `problems` is empty. */
  issue?: Issue;
  /** In `depeche check`'s words, each with its location (and line, once the text exists). */
  problems: CheckProblem[];
}

/**
 * Checks an edit before it is saved, as the save will: `next` (a form's content, not yet known
 * to be an issue) against the schema, then the edited text of `currentText` as `depeche check`
 * does. Writes nothing; for the composer to show problems next to their fields before a save.
 */
export async function checkIssueEdit(
  file: string,
  currentText: string,
  next: unknown,
  options: IssueFileOptions = {},
): Promise<IssueEdit> {
  const parsed = IssueSchema.safeParse(next);
  if (!parsed.success) {
    const source = { file, data: next, problems: [], lineOf: () => undefined };
    return { problems: zodProblems(source, parsed.error) };
  }
  const text = updateIssueText(currentText, parsed.data);
  const document = await validateIssueDocument(file, Buffer.from(text, 'utf8'), options);
  return {
    text,
    ...(document.issue ? { issue: document.issue } : {}),
    problems: document.problems,
  };
}

function parseQuietly(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The changes on one line of at most about 72 characters: the first few, then "+N more". */
function summaryLine(changes: string[]): string {
  if (changes.length === 0) return 'layout';
  let line = changes[0]!;
  let shown = 1;
  while (shown < changes.length && line.length + changes[shown]!.length < 60) {
    line += `, ${changes[shown]!}`;
    shown += 1;
  }
  return shown < changes.length ? `${line}, +${changes.length - shown} more` : line;
}

async function commit(
  file: string,
  subject: string,
  changes: string[],
  options: IssueCommitOptions,
): Promise<boolean> {
  if (!options.committer || !options.author) return false;
  const body = changes.length > 1 ? `\n\n${changes.map((change) => `- ${change}`).join('\n')}` : '';
  return options.committer.commit({ file, message: `${subject}${body}`, author: options.author });
}

/**
 * Replaces `file` by `text` so that a reader sees the old or the new version, never half of one,
 * even across a crash: a temporary file in the same folder (same file system), flushed to disk,
 * renamed over the file, then the folder flushed. The file's permissions are kept.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const mode = await stat(file).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  // A dot file: `depeche check` and the issue listings skip it if a crash leaves it behind.
  const temp = join(dirname(file), `.${basename(file)}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const folder = await open(dirname(file), 'r').catch(() => undefined);
  if (folder)
    await folder
      .sync()
      .catch(() => undefined)
      .finally(() => folder.close());
}
