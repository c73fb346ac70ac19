import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { NotFoundError, ValidationError } from '../lib/index.ts';
import type { CheckProblem } from './check-problem.ts';
import { NewsletterFileInvalidError } from './errors.ts';
import { SlugSchema } from './fields.ts';
import type { Newsletter } from './newsletter.ts';
import { validateNewsletterText } from './validate-newsletter.ts';

/** The file name of a newsletter's identity, inside `issues/<id>/`. */
export const NEWSLETTER_FILE_NAME = 'newsletter.yaml';

/** Reads and validates one `newsletter.yaml`; problems include its placement. */
export async function readNewsletterFile(
  file: string,
): Promise<{ newsletter?: Newsletter; problems: CheckProblem[] }> {
  const text = await readFile(file, 'utf8');
  return validateNewsletterText(text, { file, checkPlacement: true });
}

/**
 * Loads `issuesDir/<id>/newsletter.yaml`.
 * @throws NotFoundError when there is no such file; NewsletterFileInvalidError when it is invalid.
 */
export async function loadNewsletter(issuesDir: string, id: string): Promise<Newsletter> {
  if (!SlugSchema.safeParse(id).success) throw new ValidationError(`Invalid newsletter id '${id}'`);
  const file = join(issuesDir, id, NEWSLETTER_FILE_NAME);
  let result: Awaited<ReturnType<typeof readNewsletterFile>>;
  try {
    result = await readNewsletterFile(file);
  } catch (error) {
    if (isMissingFile(error)) {
      throw new NotFoundError(`Unknown newsletter '${id}': no file '${file}'`, { cause: error });
    }
    throw error;
  }
  if (!result.newsletter) throw new NewsletterFileInvalidError(file, result.problems);
  return result.newsletter;
}

/** What {@link scanNewsletters} found under one directory. */
export interface NewsletterScan {
  newsletters: Newsletter[];
  /** Folder names whose `newsletter.yaml` is invalid. */
  brokenIds: string[];
  /** The problems of the invalid files. */
  problems: CheckProblem[];
  /** Every `newsletter.yaml` read. */
  files: string[];
}

/** Reads every `<dir>/*\/newsletter.yaml`, valid or not; a missing directory holds none. */
export async function scanNewsletters(dir: string): Promise<NewsletterScan> {
  const scan: NewsletterScan = { newsletters: [], brokenIds: [], problems: [], files: [] };
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissingFile(error)) return scan;
    throw error;
  }
  const folders = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const file = join(dir, folder, NEWSLETTER_FILE_NAME);
    let result;
    try {
      result = await readNewsletterFile(file);
    } catch (error) {
      if (isMissingFile(error)) continue;
      throw error;
    }
    scan.files.push(file);
    if (result.newsletter) scan.newsletters.push(result.newsletter);
    else {
      scan.brokenIds.push(folder);
      scan.problems.push(...result.problems);
    }
  }
  return scan;
}

/**
 * Loads every newsletter of `issuesDir` (each folder with a `newsletter.yaml`), sorted by id.
 * @throws NewsletterFileInvalidError for the first invalid file.
 */
export async function loadNewsletters(issuesDir: string): Promise<Newsletter[]> {
  const scan = await scanNewsletters(issuesDir);
  const first = scan.problems[0];
  if (first) {
    throw new NewsletterFileInvalidError(
      first.file,
      scan.problems.filter((p) => p.file === first.file),
    );
  }
  return scan.newsletters.sort((a, b) => a.id.localeCompare(b.id));
}

/** True for ENOENT/ENOTDIR errors of node:fs. */
export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
