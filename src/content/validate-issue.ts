import { basename, dirname } from 'node:path';

import type { CheckProblem } from './check-problem.ts';
import { isCalendarDate, isHttpUrl } from './fields.ts';
import { type Issue, IssueSchema } from './issue.ts';
import type { Newsletter } from './newsletter.ts';
import {
  parseYamlSource,
  problemAt,
  valueAt,
  type YamlSource,
  zodProblems,
} from './yaml-document.ts';

/** What {@link validateIssueText} needs besides the text. */
export interface ValidateIssueOptions {
  /** Shown in problems; also the path checked when `checkPlacement` is set. */
  file: string;
  /** The newsletters an issue may belong to. */
  newsletters: readonly Newsletter[];
  /**
   * Ids of newsletters whose `newsletter.yaml` exists but is invalid: an issue of one gets a
   * pointer to that file instead of "unknown newsletter", and its sections are not checked.
   */
  brokenNewsletterIds?: readonly string[];
  /**
   * Also require the file to sit at `<newsletter>/<YYYY-MM>.yaml` (folder named after the
   * newsletter, file after the month of the date). @defaultValue false
   */
  checkPlacement?: boolean;
}

/**
 * Validates the text of an issue file and reports every problem at once: YAML syntax, schema
 * (missing fields, bad URLs and dates), unknown newsletter or section, duplicate item URLs,
 * deadlines already past on the issue date and, optionally, the file's placement. Pure.
 */
export function validateIssueText(
  text: string,
  options: ValidateIssueOptions,
): { issue?: Issue; problems: CheckProblem[] } {
  const source = parseYamlSource(text, options.file);
  if (source.problems.length > 0) return { problems: source.problems };
  const parsed = IssueSchema.safeParse(source.data);
  const problems = [
    ...(parsed.success ? [] : zodProblems(source, parsed.error)),
    ...crossCheckIssue(source, options),
    ...(options.checkPlacement ? placementProblems(source) : []),
  ];
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return parsed.success && problems.length === 0 ? { issue: parsed.data, problems } : { problems };
}

/**
 * A URL reduced to what identifies the page: host in lower case (by URL parsing), no default
 * port, no trailing slash, http and https alike.
 */
export function normalizeUrlForComparison(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.host}${path}${parsed.search}${parsed.hash}`;
}

/** Checks the schema cannot express, on the raw data so that one bad item hides nothing else. */
function crossCheckIssue(source: YamlSource, options: ValidateIssueOptions): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const data = source.data;
  const newsletterId = valueAt(data, ['newsletter']);
  let newsletter: Newsletter | undefined;
  if (typeof newsletterId === 'string' && newsletterId.trim() !== '') {
    newsletter = options.newsletters.find((candidate) => candidate.id === newsletterId.trim());
    if (options.brokenNewsletterIds?.includes(newsletterId.trim())) {
      problems.push(
        problemAt(
          source,
          ['newsletter'],
          `newsletter '${newsletterId}' has an invalid newsletter.yaml; fix it first`,
        ),
      );
    } else if (!newsletter) {
      const known = options.newsletters.map((n) => n.id).join(', ') || 'none';
      problems.push(
        problemAt(source, ['newsletter'], `unknown newsletter '${newsletterId}' (known: ${known})`),
      );
    }
  }
  const issueDate = valueAt(data, ['date']);
  const sections = valueAt(data, ['sections']);
  if (!Array.isArray(sections)) return problems;
  const seenSections = new Map<string, number>();
  const seenUrls = new Map<string, string>();
  sections.forEach((section: unknown, sectionIndex) => {
    const id = valueAt(section, ['id']);
    if (typeof id === 'string') {
      const path = ['sections', sectionIndex, 'id'];
      const earlier = seenSections.get(id);
      if (earlier !== undefined) {
        problems.push(
          problemAt(source, path, `section '${id}' already appears as sections[${earlier}]`),
        );
      } else seenSections.set(id, sectionIndex);
      if (newsletter && !newsletter.sections.some((s) => s.id === id)) {
        const known = newsletter.sections.map((s) => s.id).join(', ');
        problems.push(
          problemAt(
            source,
            path,
            `unknown section '${id}' of newsletter '${newsletter.id}' (sections: ${known})`,
          ),
        );
      }
    }
    const items = valueAt(section, ['items']);
    if (!Array.isArray(items)) return;
    items.forEach((item: unknown, itemIndex) => {
      const itemPath = ['sections', sectionIndex, 'items', itemIndex];
      const url = valueAt(item, ['url']);
      if (typeof url === 'string' && isHttpUrl(url.trim())) {
        const key = normalizeUrlForComparison(url.trim());
        const first = seenUrls.get(key);
        if (first !== undefined) {
          problems.push(
            problemAt(source, [...itemPath, 'url'], `duplicate link: same URL as ${first}`),
          );
        } else seenUrls.set(key, `sections[${sectionIndex}].items[${itemIndex}]`);
      }
      const deadline = valueAt(item, ['deadline']);
      if (
        typeof deadline === 'string' &&
        typeof issueDate === 'string' &&
        isCalendarDate(deadline.trim()) &&
        isCalendarDate(issueDate.trim()) &&
        deadline.trim() < issueDate.trim()
      ) {
        problems.push(
          problemAt(
            source,
            [...itemPath, 'deadline'],
            `deadline ${deadline.trim()} is already past on the issue date ${issueDate.trim()}`,
          ),
        );
      }
    });
  });
  return problems;
}

/** The file must be `<newsletter>/<YYYY-MM>.yaml`. */
function placementProblems(source: YamlSource): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const newsletterId = valueAt(source.data, ['newsletter']);
  const folder = basename(dirname(source.file));
  if (typeof newsletterId === 'string' && newsletterId.trim() !== folder) {
    problems.push(
      problemAt(
        source,
        ['newsletter'],
        `issue of newsletter '${newsletterId.trim()}' is in folder '${folder}'; move it to '${newsletterId.trim()}/'`,
      ),
    );
  }
  const date = valueAt(source.data, ['date']);
  if (typeof date === 'string' && isCalendarDate(date.trim())) {
    const expected = `${date.trim().slice(0, 7)}.yaml`;
    if (basename(source.file) !== expected) {
      problems.push(
        problemAt(
          source,
          ['date'],
          `file name '${basename(source.file)}' does not match the issue date ${date.trim()}; name it '${expected}'`,
        ),
      );
    }
  }
  return problems;
}
