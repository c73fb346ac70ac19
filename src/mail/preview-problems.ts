import { GMAIL_CLIP_BYTES, pastDeadlines } from '../compose/index.ts';
import { findSection, formatLocation, type Issue, type Newsletter } from '../content/index.ts';
import type { Locale } from '../lib/index.ts';

/** What the preview reports beside the email (nothing here stops a preview). */
export type PreviewProblemCode =
  /** The HTML part is larger than {@link GMAIL_CLIP_BYTES}. */
  | 'html_clipped'
  /** An item's deadline is before the day of reference (issue date or planned send day). */
  | 'deadline_past'
  /** The English copy shows a French text: the issue has no English version of it. */
  | 'english_missing'
  /** A section id the newsletter does not define (its title falls back to the id). */
  | 'unknown_section';

/** One thing to look at in a preview, with where it is (`sections[1].items[0].deadline`). */
export interface PreviewProblem {
  code: PreviewProblemCode;
  /** Location in the issue, as `depeche check` writes it; empty for the whole message. */
  location: string;
  /** What is wrong, in English, quoting the value (the workspace translates by `code`). */
  message: string;
  /** The values the message quotes, for a translated text. */
  values: Record<string, string | number>;
}

/** Options of {@link previewProblems}. */
export interface PreviewProblemsInput {
  issue: Issue;
  newsletter: Pick<Newsletter, 'id' | 'sections'>;
  locale: Locale;
  /** Size of the personalised HTML part, in bytes. */
  htmlBytes: number;
  /** Day of reference, `YYYY-MM-DD`. */
  asOf: string;
}

/**
 * What a preview should point out about an issue rendered in one language: an HTML part Gmail
 * would clip, deadlines already past on the day of reference, texts the English copy shows in
 * French, sections the newsletter does not know. Pure.
 */
export function previewProblems(input: PreviewProblemsInput): PreviewProblem[] {
  const { issue, locale, asOf } = input;
  const problems: PreviewProblem[] = [];
  if (input.htmlBytes > GMAIL_CLIP_BYTES) {
    const kb = Math.ceil(input.htmlBytes / 1024);
    problems.push({
      code: 'html_clipped',
      location: '',
      message: `the HTML part is ${kb} KB; Gmail clips messages over 102 KB`,
      values: { kb, limit: 102 },
    });
  }
  const english = (location: string) =>
    problems.push({
      code: 'english_missing',
      location,
      message: 'no English text: the English copy shows the French one',
      values: {},
    });
  if (locale === 'en') {
    for (const field of ['subject', 'preheader', 'introduction'] as const) {
      if (issue.en?.[field] === undefined) english(`en.${field}`);
    }
  }
  const past = new Map(
    pastDeadlines(issue, asOf).map(({ path, deadline }) => [formatLocation(path), deadline]),
  );
  issue.sections.forEach((section, sectionIndex) => {
    if (findSection(input.newsletter, section.id) === undefined) {
      problems.push({
        code: 'unknown_section',
        location: `sections[${sectionIndex}].id`,
        message: `unknown section '${section.id}' of newsletter '${input.newsletter.id}'`,
        values: { section: section.id },
      });
    }
    section.items.forEach((item, itemIndex) => {
      const at = `sections[${sectionIndex}].items[${itemIndex}]`;
      const deadline = past.get(`${at}.deadline`);
      if (deadline !== undefined) {
        problems.push({
          code: 'deadline_past',
          location: `${at}.deadline`,
          message: `deadline ${deadline} is already past on ${asOf}`,
          values: { deadline, asOf },
        });
      }
      if (locale === 'en') {
        if (item.en?.title === undefined) english(`${at}.en.title`);
        if (item.en?.summary === undefined) english(`${at}.en.summary`);
      }
    });
  });
  return problems;
}
