import {
  findSection,
  isOpportunity,
  type Issue,
  issueKey,
  type Item,
  itemDeadline,
  type Newsletter,
} from '../content/index.ts';
import { type Locale, toCalendarDate } from '../lib/index.ts';

/**
 * An opportunity is « closing soon » when its deadline is at most this many days after the day
 * the reader gets it (the planned send date; the issue date when none is given).
 */
export const CLOSING_SOON_DAYS = 14;

/** One item as a template sees it: texts in the reader's language, plus derived marks. */
export type ItemView = Item & {
  /** Title in the reader's language (English where the issue has it, French otherwise). */
  title: string;
  /** Markdown summary in the reader's language. */
  summary: string;
  /** The deadline, if any, falls within {@link CLOSING_SOON_DAYS} days of the send date. */
  isClosingSoon: boolean;
  /** Job, call, fellowship or prize. */
  isOpportunity: boolean;
};

/** One section as a template sees it. */
export interface SectionView {
  id: string;
  /** Title from the newsletter, in the reader's language. */
  title: string;
  items: ItemView[];
}

/** Everything an issue template receives, already in the reader's language. */
export interface IssueView {
  locale: Locale;
  issueKey: string;
  number: number;
  /** Issue date, `YYYY-MM-DD`. */
  date: string;
  subject: string;
  preheader: string;
  /** Markdown. */
  introduction: string;
  /** Colours of the newsletter's look (also under `newsletter.theme`). */
  theme: Newsletter['theme'];
  newsletter: {
    id: string;
    title: string;
    description: string | undefined;
    sender: Newsletter['sender'];
    theme: Newsletter['theme'];
  };
  sections: SectionView[];
}

const dayMs = 86_400_000;

/** True when `deadline` is on or after `asOf` (`YYYY-MM-DD`) and at most {@link CLOSING_SOON_DAYS} days later. */
export function isClosingSoon(deadline: string | undefined, asOf: string): boolean {
  if (deadline === undefined) return false;
  const days = (toCalendarDate(deadline).getTime() - toCalendarDate(asOf).getTime()) / dayMs;
  return days >= 0 && days <= CLOSING_SOON_DAYS;
}

function localizeItem(item: Item, locale: Locale, asOf: string): ItemView {
  const english = locale === 'en' ? item.en : undefined;
  return {
    ...item,
    title: english?.title ?? item.title,
    summary: english?.summary ?? item.summary,
    isClosingSoon: isClosingSoon(itemDeadline(item), asOf),
    isOpportunity: isOpportunity(item),
  };
}

/**
 * Selects the texts of an issue for one reader's language. An English reader gets the issue's
 * `en` subject, preheader, introduction, item titles and summaries where present, the French
 * text otherwise; section titles come from the newsletter in that language. A section without
 * items is left out. « Closing soon » marks are computed on `asOf` (`YYYY-MM-DD`, the planned
 * send date), by default the issue date. Pure.
 */
export function localizeIssue(
  issue: Issue,
  newsletter: Newsletter,
  locale: Locale,
  asOf: string = issue.date,
): IssueView {
  const english = locale === 'en' ? issue.en : undefined;
  return {
    locale,
    issueKey: issueKey(issue),
    number: issue.number,
    date: issue.date,
    subject: english?.subject ?? issue.subject,
    preheader: english?.preheader ?? issue.preheader,
    introduction: english?.introduction ?? issue.introduction,
    theme: newsletter.theme,
    newsletter: {
      id: newsletter.id,
      title: newsletter.title,
      description:
        locale === 'en'
          ? (newsletter.description_en ?? newsletter.description)
          : newsletter.description,
      sender: newsletter.sender,
      theme: newsletter.theme,
    },
    sections: issue.sections
      .filter((section) => section.items.length > 0)
      .map((section) => ({
        id: section.id,
        title: findSection(newsletter, section.id)?.title[locale] ?? section.id,
        items: section.items.map((item) => localizeItem(item, locale, asOf)),
      })),
  };
}
