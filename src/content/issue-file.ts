import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { NotFoundError } from '../lib/index.ts';
import { IssueFileInvalidError } from './errors.ts';
import type { Issue } from './issue.ts';
import type { Newsletter } from './newsletter.ts';
import { isMissingFile, type NewsletterScan, scanNewsletters } from './newsletter-file.ts';
import { validateIssueText } from './validate-issue.ts';

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
 * @throws NotFoundError when the file does not exist; IssueFileInvalidError listing every
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
    if (isMissingFile(error))
      throw new NotFoundError(`Issue file '${file}' not found`, { cause: error });
    throw error;
  }
  const { newsletters, brokenIds } = await newslettersFor(file, issuesDir);
  const result = validateIssueText(text, { file, newsletters, brokenNewsletterIds: brokenIds });
  const newsletter = newsletters.find((candidate) => candidate.id === result.issue?.newsletter);
  if (!result.issue || !newsletter) throw new IssueFileInvalidError(file, result.problems);
  return { issue: result.issue, newsletter, file, text };
}
