import { z } from 'zod';

import {
  formatLocation,
  type Issue,
  itemDeadline,
  parseYamlSource,
  sendReadinessProblems,
} from '../content/index.ts';
import { findPlaceholder } from './placeholder-texts.ts';

/**
 * What a send guard found in an issue about to go out, placed so that both the command line
 * (`where`) and the composer (`path`, next to the form field) can show it.
 */
export const GuardFindingSchema = z.object({
  /** Stable code: `placeholder`, `empty-section`, `markdown-image`, `deadline-past`, … */
  code: z.string(),
  /**
   * `block`: nothing goes out until it is fixed; `confirm`: goes out only once an editor
   * confirms (`--confirm-overlap`, the review step's checkbox); `warn`: shown, nothing more.
   */
  level: z.enum(['block', 'confirm', 'warn']),
  /** Path in the issue, like `['sections', 1, 'items', 0, 'title']`; empty for the whole issue. */
  path: z.array(z.union([z.string(), z.number()])),
  /** Where, as `depeche check` writes it: `issues/adn/2026-11.yaml:12: sections[1].items[0].title`. */
  where: z.string(),
  /** What is wrong, in plain English, in the words of `depeche check`. */
  message: z.string(),
});
/** One finding of a send guard. */
export type GuardFinding = z.infer<typeof GuardFindingSchema>;

/** The issue file a finding is placed in, for its `where` (file and line). */
export interface GuardSource {
  file: string;
  /** The file's text, for line numbers. */
  text: string;
}

/** Gmail clips a message whose HTML is over 102 KB: the end (footer, unsubscribe link) is hidden. */
export const GMAIL_CLIP_BYTES = 102 * 1024;

type Path = Array<string | number>;

/** Builds `where` for paths: `file:line: location` with a source, the location alone without. */
export function guardLocator(source: GuardSource | undefined): (path: Path) => string {
  const yaml = source ? parseYamlSource(source.text, source.file) : undefined;
  return (path) => {
    const location = formatLocation(path);
    if (!source || !yaml) return location === '' ? 'issue' : location;
    const line = yaml.lineOf(path);
    const at = line === undefined ? source.file : `${source.file}:${line}`;
    return location === '' ? at : `${at}: ${location}`;
  };
}

/** Every string of a value with its path, depth first in key order. */
function stringsOf(value: unknown, path: Path = []): Array<{ path: Path; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value))
    return value.flatMap((entry, index) => stringsOf(entry, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, entry]) => stringsOf(entry, [...path, key]));
  }
  return [];
}

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Placeholder texts left anywhere in the issue (« À compléter », « À préciser », `TBD`…). Pure. */
export function placeholderFindings(issue: Issue, locate: (path: Path) => string): GuardFinding[] {
  return stringsOf(issue).flatMap(({ path, text }) => {
    const placeholder = findPlaceholder(text);
    if (placeholder === undefined) return [];
    return [
      {
        code: 'placeholder',
        level: 'block' as const,
        path,
        where: locate(path),
        message: `placeholder text « ${placeholder} » left in the issue; write the real text before sending`,
      },
    ];
  });
}

/** An item's deadline before a day of reference, with the path of its `deadline` field. */
export interface PastDeadline {
  path: Path;
  deadline: string;
}

/**
 * Items whose deadline is before `asOf` (`YYYY-MM-DD`): what the send guards refuse on the
 * planned send date and what the preview points out on its day of reference. Pure.
 */
export function pastDeadlines(issue: Issue, asOf: string): PastDeadline[] {
  return issue.sections.flatMap((section, s) =>
    section.items.flatMap((item, i) => {
      const deadline = itemDeadline(item);
      if (deadline === undefined || deadline >= asOf) return [];
      return [{ path: ['sections', s, 'items', i, 'deadline'], deadline }];
    }),
  );
}

/** Deadlines already past on the planned send date (UTC): refused until changed or removed. Pure. */
export function pastDeadlineFindings(
  issue: Issue,
  sendAt: Date,
  locate: (path: Path) => string,
): GuardFinding[] {
  const sendDate = utcDate(sendAt);
  return pastDeadlines(issue, sendDate).map(({ path, deadline }) => ({
    code: 'deadline-past',
    level: 'block',
    path,
    where: locate(path),
    message: `deadline ${deadline} is already past on the planned send date ${sendDate}; remove the item or change its deadline`,
  }));
}

/** Sections without items and Markdown images (`sendReadinessProblems`, as `depeche check`). Pure. */
export function readinessFindings(issue: Issue, locate: (path: Path) => string): GuardFinding[] {
  return sendReadinessProblems(issue).map((problem) => ({
    code: problem.code,
    level: 'block',
    path: problem.path,
    where: locate(problem.path),
    message: problem.message,
  }));
}

/**
 * HTML over {@link GMAIL_CLIP_BYTES} in any language, measured in UTF-8 bytes of the HTML as
 * sent (placeholders filled). Pure.
 */
export function renderedSizeFindings(
  bodies: ReadonlyArray<{ locale: string; html: string }>,
  limitBytes: number = GMAIL_CLIP_BYTES,
): GuardFinding[] {
  return bodies.flatMap((body) => {
    const bytes = Buffer.byteLength(body.html, 'utf8');
    if (bytes <= limitBytes) return [];
    return [
      {
        code: 'html-too-large',
        level: 'block' as const,
        path: [],
        where: `email (${body.locale})`,
        message: `the ${body.locale} HTML is ${(bytes / 1024).toFixed(1)} KB, over the ${limitBytes / 1024} KB Gmail shows before clipping the message (and its unsubscribe link); shorten the issue`,
      },
    ];
  });
}

/**
 * The content guards of an issue about to be sent at `sendAt`: placeholder texts, sections
 * without items, Markdown images, deadlines already past on the send date; each kind in the
 * order of the issue. Pure.
 */
export function checkIssueContent(input: {
  issue: Issue;
  sendAt: Date;
  source?: GuardSource | undefined;
}): GuardFinding[] {
  const locate = guardLocator(input.source);
  return [
    ...placeholderFindings(input.issue, locate),
    ...readinessFindings(input.issue, locate),
    ...pastDeadlineFindings(input.issue, input.sendAt, locate),
  ];
}

/** One line per finding: `where: message`. */
export function formatFinding(finding: GuardFinding): string {
  return `${finding.where}: ${finding.message}`;
}

/** True when a finding keeps the issue from going out as things stand. */
export function isBlocking(finding: GuardFinding, confirmed: { overlap?: boolean } = {}): boolean {
  return finding.level === 'block' || (finding.level === 'confirm' && !confirmed.overlap);
}
