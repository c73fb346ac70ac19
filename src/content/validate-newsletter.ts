import { basename, dirname } from 'node:path';

import type { CheckProblem } from './check-problem.ts';
import { type Newsletter, NewsletterSchema } from './newsletter.ts';
import { parseYamlSource, problemAt, valueAt, zodProblems } from './yaml-document.ts';

/**
 * Validates the text of a `newsletter.yaml` and reports every problem at once. With
 * `checkPlacement`, the folder holding the file must be named after the newsletter's id. Pure.
 */
export function validateNewsletterText(
  text: string,
  options: { file: string; checkPlacement?: boolean },
): { newsletter?: Newsletter; problems: CheckProblem[] } {
  const source = parseYamlSource(text, options.file);
  if (source.problems.length > 0) return { problems: source.problems };
  const parsed = NewsletterSchema.safeParse(source.data);
  const problems = parsed.success ? [] : zodProblems(source, parsed.error);
  const id = valueAt(source.data, ['id']);
  const folder = basename(dirname(options.file));
  if (options.checkPlacement && typeof id === 'string' && id.trim() !== folder) {
    problems.push(
      problemAt(
        source,
        ['id'],
        `newsletter '${id.trim()}' is in folder '${folder}'; the folder must be named '${id.trim()}'`,
      ),
    );
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return parsed.success && problems.length === 0
    ? { newsletter: parsed.data, problems }
    : { problems };
}
