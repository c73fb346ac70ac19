import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { SlugSchema } from './fields.ts';

/**
 * The issue keys of a newsletter (`adn/2026-11`), the most recent month first: one per file
 * `issuesDir/<newsletter>/<YYYY-MM>.yaml`, whether valid or not (loading it says what is wrong).
 * A newsletter with no folder has none.
 */
export async function listIssueKeys(issuesDir: string, newsletterId: string): Promise<string[]> {
  if (!SlugSchema.safeParse(newsletterId).success) return [];
  const files = await readdir(path.join(issuesDir, newsletterId)).catch(() => [] as string[]);
  return files
    .map((name) => /^(\d{4}-\d{2})\.yaml$/.exec(name)?.[1])
    .filter((month): month is string => month !== undefined)
    .sort()
    .reverse()
    .map((month) => `${newsletterId}/${month}`);
}
