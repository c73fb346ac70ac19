import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { parse, stringify } from 'yaml';

import type { Issue } from '../content/index.ts';
import { AppError } from '../lib/index.ts';

/** `depeche issue new` never overwrites an issue file. */
export class IssueFileExistsError extends AppError {
  constructor(file: string) {
    super('EISSUEEXISTS', `Issue file '${file}' already exists; it is never overwritten`);
  }
}

/** `issues/<newsletter>/<YYYY-MM>.yaml` under `issuesDir`. */
export function issueFilePath(issuesDir: string, newsletterId: string, month: string): string {
  return path.join(issuesDir, newsletterId, `${month}.yaml`);
}

/**
 * Issue numbers of the existing issue files of a newsletter (`<YYYY-MM>.yaml`); files that
 * are not YAML or have no whole `number` are ignored (`depeche check` reports them).
 */
export async function readIssueNumbers(issuesDir: string, newsletterId: string): Promise<number[]> {
  const dir = path.join(issuesDir, newsletterId);
  const files = await readdir(dir).catch(() => [] as string[]);
  const numbers: number[] = [];
  for (const file of files.filter((name) => /^\d{4}-\d{2}\.ya?ml$/.test(name))) {
    try {
      const data: unknown = parse(await readFile(path.join(dir, file), 'utf8'));
      const number = (data as { number?: unknown } | null)?.number;
      if (typeof number === 'number' && Number.isInteger(number)) numbers.push(number);
    } catch {
      // An unreadable file does not stop drafting; `depeche check` names it.
    }
  }
  return numbers;
}

/** The YAML text of an issue file, with a leading comment for the editor. */
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
 * check and the creation are one atomic step: `wx`). The only writer of `issues/`.
 */
export async function createIssueFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
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
