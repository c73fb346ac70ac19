import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { parse } from 'yaml';

import type { CheckProblem } from './check-problem.ts';
import { IssueFileInvalidError, IssueFileNotFoundError } from './errors.ts';
import type { Issue } from './issue.ts';
import type { Newsletter } from './newsletter.ts';
import { isMissingFile, type NewsletterScan, scanNewsletters } from './newsletter-file.ts';
import { validateIssueText } from './validate-issue.ts';
import { parseYamlSource, problemAt } from './yaml-document.ts';

const ISSUE_KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*\/\d{4}-\d{2}$/;

/**
 * The file of an issue: `ref` is either a key like `adn/2026-11` (→ `issuesDir/adn/2026-11.yaml`)
 * or a path to a file, returned as given. Pure.
 */
export function resolveIssuePath(issuesDir: string, ref: string): string {
  return ISSUE_KEY.test(ref) ? join(issuesDir, `${ref}.yaml`) : ref;
}

/**
 * The newsletters an issue file may refer to: those beside its folder (`<file>/../../*`), then
 * those of `issuesDir`; the first found wins for an id.
 */
export async function newslettersFor(
  file: string,
  issuesDir: string,
  scan: (dir: string) => Promise<NewsletterScan> = scanNewsletters,
): Promise<{ newsletters: Newsletter[]; brokenIds: string[] }> {
  const roots = [...new Set([resolve(dirname(dirname(file))), resolve(issuesDir)])];
  const newsletters = new Map<string, Newsletter>();
  const brokenIds = new Set<string>();
  for (const root of roots) {
    const found = await scan(root);
    for (const newsletter of found.newsletters) {
      if (!newsletters.has(newsletter.id) && !brokenIds.has(newsletter.id)) {
        newsletters.set(newsletter.id, newsletter);
      }
    }
    for (const id of found.brokenIds) if (!newsletters.has(id)) brokenIds.add(id);
  }
  return { newsletters: [...newsletters.values()], brokenIds: [...brokenIds] };
}

/**
 * Reads and validates an issue file (see `validateIssueText`) and its newsletter; also returns
 * the text read (what a content hash and line numbers are computed on). The file's
 * placement is not enforced here, so a fixture or draft anywhere can be rendered; `depeche
 * check` enforces it.
 * @throws IssueFileNotFoundError (a NotFoundError) when the file does not exist; IssueFileInvalidError listing every
 *   problem when it is invalid.
 */
export async function loadIssue(
  issuesDir: string,
  ref: string,
): Promise<{ issue: Issue; newsletter: Newsletter; file: string; text: string }> {
  const file = resolveIssuePath(issuesDir, ref);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) throw new IssueFileNotFoundError(file, { cause: error });
    throw error;
  }
  const { newsletters, brokenIds } = await newslettersFor(file, issuesDir);
  const result = validateIssueText(text, { file, newsletters, brokenNewsletterIds: brokenIds });
  const newsletter = newsletters.find((candidate) => candidate.id === result.issue?.newsletter);
  if (!result.issue || !newsletter) throw new IssueFileInvalidError(file, result.problems);
  return { issue: result.issue, newsletter, file, text };
}

/** `issues/<newsletter>/<YYYY-MM>.yaml` under `issuesDir`. */
export function issueFilePath(issuesDir: string, newsletterId: string, month: string): string {
  return join(issuesDir, newsletterId, `${month}.yaml`);
}

/**
 * Issue numbers of the existing issue files of a newsletter (`<YYYY-MM>.yaml`); files that
 * are not YAML or have no whole `number` are ignored (`depeche check` reports them).
 */
export async function readIssueNumbers(issuesDir: string, newsletterId: string): Promise<number[]> {
  return (await numberedIssueFiles(join(issuesDir, newsletterId))).map((entry) => entry.number);
}

/** The `<YYYY-MM>.yaml` files of a folder that have a whole `number`, with it. */
async function numberedIssueFiles(dir: string): Promise<Array<{ file: string; number: number }>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: Array<{ file: string; number: number }> = [];
  for (const name of names.filter((entry) => /^\d{4}-\d{2}\.ya?ml$/.test(entry)).sort()) {
    const file = join(dir, name);
    try {
      const data: unknown = parse(await readFile(file, 'utf8'));
      const number = (data as { number?: unknown } | null)?.number;
      if (typeof number === 'number' && Number.isInteger(number)) found.push({ file, number });
    } catch {
      // An unreadable file does not stop drafting; `depeche check` names it.
    }
  }
  return found;
}

/** The content hash of a version of an issue file: SHA-256 of its bytes, in hex. */
export function hashIssueText(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * One version of an issue file as the composer opens it: its text, the hash a later save must
 * carry, and the issue when it passes the same validation as `depeche check` (placement
 * included), else every problem.
 */
export interface IssueDocument {
  file: string;
  text: string;
  /** {@link hashIssueText} of the file's bytes. */
  hash: string;
  /** Present exactly when `problems` is empty. */
  issue?: Issue;
  problems: CheckProblem[];
}

/** Where {@link readIssueDocument} finds the newsletters. */
export interface IssueFileOptions {
  /** ISSUES_DIR; the newsletters beside the file's folder come first. @defaultValue the folder above the file's */
  issuesDir?: string;
}

/**
 * Reads an issue file and validates it as `depeche check` does (placement, and a number no
 * other issue file of its folder has). An invalid file is returned
 * with its problems, so that it can still be shown and fixed.
 * @throws IssueFileNotFoundError when the file does not exist.
 */
export async function readIssueDocument(
  file: string,
  options: IssueFileOptions = {},
): Promise<IssueDocument> {
  const bytes = await readIssueBytes(file);
  return validateIssueDocument(file, bytes, options);
}

/** The bytes of an issue file. @throws IssueFileNotFoundError when it does not exist. */
export async function readIssueBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if (isMissingFile(error)) throw new IssueFileNotFoundError(file, { cause: error });
    throw error;
  }
}

/** An {@link IssueDocument} of given bytes, validated as `depeche check` does. */
export async function validateIssueDocument(
  file: string,
  bytes: Buffer,
  options: IssueFileOptions,
): Promise<IssueDocument> {
  const text = bytes.toString('utf8');
  const { newsletters, brokenIds } = await newslettersFor(
    file,
    options.issuesDir ?? dirname(dirname(file)),
  );
  const result = validateIssueText(text, {
    file,
    newsletters,
    brokenNewsletterIds: brokenIds,
    checkPlacement: true,
  });
  const problems = [...result.problems];
  if (result.issue) {
    // As `depeche check` of the folder: two issues of a newsletter never share a number.
    const { newsletter, number } = result.issue;
    const other = (await numberedIssueFiles(dirname(file))).find(
      (entry) => entry.number === number && resolve(entry.file) !== resolve(file),
    );
    if (other) {
      problems.push(
        problemAt(
          parseYamlSource(text, file),
          ['number'],
          `issue number ${number} of newsletter '${newsletter}' is already used by '${other.file}'`,
        ),
      );
    }
  }
  return {
    file,
    text,
    hash: hashIssueText(bytes),
    ...(result.issue && problems.length === 0 ? { issue: result.issue } : {}),
    problems,
  };
}
