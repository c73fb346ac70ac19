import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { SlugSchema } from './fields.ts';
import type { Newsletter } from './newsletter.ts';
import { loadNewsletter, NEWSLETTER_FILE_NAME } from './newsletter-file.ts';

/**
 * {@link loadNewsletter} for pages that read a newsletter on every request: the validated
 * newsletter is kept while its file's modification time and size stay the same, so an edited
 * `newsletter.yaml` counts at the next request, and an unchanged one costs a `stat` instead of
 * a YAML parse and validation (tens of milliseconds on a busy machine).
 */
export function createNewsletterLoader(issuesDir: string): (id: string) => Promise<Newsletter> {
  const cache = new Map<string, { version: string; newsletter: Newsletter }>();
  return async (id: string) => {
    if (!SlugSchema.safeParse(id).success) return loadNewsletter(issuesDir, id);
    const info = await stat(join(issuesDir, id, NEWSLETTER_FILE_NAME)).catch(() => null);
    if (!info) return loadNewsletter(issuesDir, id);
    const version = `${info.mtimeMs}:${info.size}`;
    const cached = cache.get(id);
    if (cached?.version === version) return cached.newsletter;
    const newsletter = await loadNewsletter(issuesDir, id);
    cache.set(id, { version, newsletter });
    return newsletter;
  };
}
