import { type NewCandidate, NewCandidateSchema } from './candidate.ts';
import { canonicalUrl, isWebUrl, resolveWebUrl } from './canonical-url.ts';
import { extractDeadlineFromFolded } from './deadline.ts';
import type { FeedEntry } from './feed-entry.ts';
import { compileKeywordRules, type KeywordRules } from './keywords.ts';
import { collapseWhitespace, foldText, htmlToText, shortenText } from './plain-text.ts';

/** Maximum length of a candidate's summary, in characters. @defaultValue 400 */
export const SUMMARY_MAX_LENGTH = 400;
/** Entries older than this many days are ignored unless the feed says otherwise. */
export const DEFAULT_MAX_AGE_DAYS = 60;
const TITLE_MAX_LENGTH = 300;
// Only the start of a long text is read: enough for a 400-character summary and for the
// deadline, and it keeps a 5 MB entry from costing seconds.
const HTML_READ_LIMIT = 20_000;
const MATCH_TEXT_LIMIT = 5_000;
const DAY_MS = 86_400_000;

/** The rules of one monitored feed that shape its candidates (a `FeedSource` fits). */
export interface FeedRules extends KeywordRules {
  url: string;
  name: string;
  /** Section of the entries no routing rule claims. */
  section: string;
  max_age_days?: number | undefined;
}

/** Why an entry did not become a candidate. */
export type SkipReason = 'no-link' | 'no-title' | 'too-old' | 'excluded' | 'not-included';

/** What {@link normalizeEntry} made of an entry. */
export type NormalizeOutcome =
  { kind: 'candidate'; candidate: NewCandidate } | { kind: 'skipped'; reason: SkipReason };

/**
 * The key under which two titles count as the same item: the title folded (`foldText`: no
 * case, no accents), punctuation removed. Titles of fewer than four words ("Weekly update",
 * "News release") are too generic to identify an item alone, so the canonical URL is appended
 * to theirs.
 */
export function titleKeyOf(foldedTitle: string, canonical: string): string {
  const words = foldedTitle.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return words.split(' ').length >= 4 ? words : `${words} ${canonical}`;
}

function parseDate(value: string | undefined): Date | null {
  if (!value?.trim()) return null;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Turns one feed entry into a candidate item, or says why not. Pure: `now` is the first-seen
 * time and the reference of `max_age_days`.
 *
 * - title: plain text (HTML stripped, entities decoded, whitespace collapsed); an entry without
 *   one takes the start of its summary;
 * - summary: the description (else the full content) as plain text, scripts dropped,
 *   shortened to {@link SUMMARY_MAX_LENGTH} characters at a word boundary;
 * - link: resolved against `xml:base`/feed URL; when missing, a GUID that is a web URL stands in;
 * - deadline: the first one stated in the title or text (see `extractDeadline`);
 * - include/exclude keywords are matched on title and text, case- and accent-insensitive;
 * - section: the first routing rule with a keyword in the title, else in the text, else the
 *   feed's `section` (see `chooseSection`).
 *
 * The title and text are folded (`foldText`) once, and the feed's keyword rules compiled once
 * per feed, for all of the matching: this runs for every entry of every poll.
 */
export function normalizeEntry(
  entry: FeedEntry,
  context: { newsletterId: string; feed: FeedRules; now: Date },
): NormalizeOutcome {
  const { feed, now } = context;
  const link =
    resolveWebUrl(entry.link, entry.baseUrl) ??
    (entry.guid && isWebUrl(entry.guid.trim()) ? entry.guid.trim() : undefined);
  const canonical = link === undefined ? undefined : canonicalUrl(link);
  if (link === undefined || canonical === undefined) return { kind: 'skipped', reason: 'no-link' };

  const summaryText = htmlToText((entry.summaryHtml ?? '').slice(0, HTML_READ_LIMIT));
  // The full content stands in for a missing summary; keywords and deadlines are also looked
  // for in its start.
  const contentText = htmlToText((entry.contentHtml ?? '').slice(0, HTML_READ_LIMIT));
  const bodyText = summaryText || contentText;
  const title = shortenText(
    htmlToText((entry.title ?? '').slice(0, HTML_READ_LIMIT)) || shortenText(bodyText, 120),
    TITLE_MAX_LENGTH,
  );
  if (title === '') return { kind: 'skipped', reason: 'no-title' };

  const publishedAt = parseDate(entry.published);
  const maxAgeDays = feed.max_age_days ?? DEFAULT_MAX_AGE_DAYS;
  if (publishedAt && now.getTime() - publishedAt.getTime() > maxAgeDays * DAY_MS) {
    return { kind: 'skipped', reason: 'too-old' };
  }

  const rules = compileKeywordRules(feed);
  const foldedTitle = foldText(title);
  const matchedContent = contentText.slice(0, MATCH_TEXT_LIMIT);
  const foldedText = `${foldedTitle} ${foldText(summaryText)} ${foldText(matchedContent)}`;
  const verdict = rules.verdict(foldedText);
  if (verdict !== 'kept') return { kind: 'skipped', reason: verdict };

  const guid = collapseWhitespace(entry.guid ?? '').slice(0, 2000);
  const candidate = NewCandidateSchema.parse({
    newsletterId: context.newsletterId,
    feedUrl: feed.url,
    sourceName: feed.name,
    guid: guid === '' ? null : guid,
    url: link,
    canonicalUrl: canonical,
    title,
    titleKey: titleKeyOf(foldedTitle, canonical),
    summary: shortenText(bodyText, SUMMARY_MAX_LENGTH),
    sectionId: rules.routedSection(foldedTitle, foldedText) ?? feed.section,
    publishedAt,
    firstSeenAt: now,
    deadline: extractDeadlineFromFolded(foldedText) ?? null,
  });
  return { kind: 'candidate', candidate };
}
