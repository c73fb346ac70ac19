import type { Issue, IssueSection, Newsletter } from '../content/index.ts';
import { TO_BE_COMPLETED } from './placeholder-texts.ts';

const frenchMonth = new Intl.DateTimeFormat('fr-FR', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** « décembre 2026 » for `2026-12`. */
export function frenchMonthName(month: string): string {
  const [year, number] = month.split('-').map(Number);
  if (!year || !number) return month;
  return frenchMonth.format(new Date(Date.UTC(year, number - 1, 1)));
}

/**
 * A draft issue: French placeholder texts that pass `depeche check` and say what to write,
 * and the given sections.
 */
export function draftIssue(options: {
  newsletter: Pick<Newsletter, 'id' | 'title'>;
  number: number;
  date: string;
  sections: IssueSection[];
}): Issue {
  const when = frenchMonthName(options.date.slice(0, 7));
  return {
    newsletter: options.newsletter.id,
    number: options.number,
    date: options.date,
    subject: `${options.newsletter.title} — ${when}`,
    preheader: `${TO_BE_COMPLETED} : l’essentiel du numéro de ${when} en une phrase.`,
    introduction: `${TO_BE_COMPLETED} : introduction du numéro de ${when}.\n`,
    sections: options.sections,
  };
}

/**
 * The date of a new issue of `month` (`YYYY-MM`): today when drafting during that month, else
 * its first day.
 */
export function issueDateFor(month: string, now: Date): string {
  const today = now.toISOString().slice(0, 10);
  return today.startsWith(`${month}-`) ? today : `${month}-01`;
}
