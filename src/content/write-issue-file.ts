import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { parse, stringify } from 'yaml';

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
  const parsed = IssueSchema.safeParse(request.next);
  if (!parsed.success) {
    const source = { file, data: request.next, problems: [], lineOf: () => undefined };
    throw new IssueFileInvalidError(file, zodProblems(source, parsed.error));
  }
  const text = updateIssueText(currentText, parsed.data);
  if (text === currentText) return { hash: currentHash, text, changes: [], isCommitted: false };
  const document = await validateIssueDocument(file, Buffer.from(text, 'utf8'), request);
  if (!document.issue) throw new IssueFileInvalidError(file, document.problems);

  await writeFileAtomically(file, text);
  const changes = diffIssueSummary(parseQuietly(currentText), document.issue);
  const isCommitted = await commit(
    file,
    `Issue ${issueKey(document.issue)}: ${summaryLine(changes)}`,
    changes,
    request,
  );
  return { hash: document.hash, text, changes, isCommitted };
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
