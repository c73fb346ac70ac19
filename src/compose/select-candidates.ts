import {
  type IssueSection,
  type Item,
  itemDeadline,
  type ItemKind,
  type Newsletter,
  normalizeUrlForComparison,
} from '../content/index.ts';
import type { Candidate } from '../feeds/index.ts';
import { UNKNOWN_LOCATION } from './placeholder-texts.ts';

export { UNKNOWN_LOCATION } from './placeholder-texts.ts';

/**
 * Escapes what Markdown would read as markup in a plain-text summary, so that text such as
 * `<script>` or `*` from a feed stays text in the email.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, '\\$&').replace(/^(\s*)([#+-]|\d+[.)])(?=\s)/, '$1\\$2');
}

/**
 * The kind the newsletter's configuration gives a candidate's items: the `kind` of the routing
 * rule of its feed that sends entries to the candidate's section, else the feed's own `kind`;
 * `undefined` when neither names one (or the feed is no longer listed). Pure.
 */
export function kindForCandidate(
  candidate: Pick<Candidate, 'feedUrl' | 'sectionId'>,
  newsletter: Partial<Pick<Newsletter, 'feeds'>>,
): ItemKind | undefined {
  const feed = newsletter.feeds?.find((source) => source.url === candidate.feedUrl);
  if (!feed) return undefined;
  const rule = feed.sections?.find(
    (candidateRule) => candidateRule.section === candidate.sectionId && candidateRule.kind,
  );
  return rule?.kind ?? feed.kind;
}

/**
 * The issue item of a picked candidate, with the title and summary an editor rewrote for the
 * issue when there are some, of `kind` when its feed names one (see {@link kindForCandidate}):
 * - a job, call, fellowship or prize needs a deadline still open on the issue date: it gets the
 *   source as institution and « À préciser » as location (the feed does not say where);
 * - an event needs a date too (the candidate's deadline, as its start), « À préciser » as place;
 * - a publication or news item gets its source and publication date.
 * Without a kind, or when the candidate lacks what the kind needs: a `call` when it has a
 * deadline still open on the issue date, else `news`.
 */
export function candidateToItem(candidate: Candidate, issueDate: string, kind?: ItemKind): Item {
  const title = candidate.issueTitle || candidate.title;
  const summary = escapeMarkdown(candidate.issueSummary || candidate.summary || title);
  const base = { title, summary, url: candidate.canonicalUrl };
  const openDeadline =
    candidate.deadline && candidate.deadline >= issueDate ? candidate.deadline : undefined;
  const wanted = kind ?? (openDeadline ? 'call' : 'news');
  if (openDeadline && wanted === 'event') {
    return { kind: 'event', ...base, start: openDeadline, place: UNKNOWN_LOCATION };
  }
  if (
    openDeadline &&
    (wanted === 'job' || wanted === 'call' || wanted === 'fellowship' || wanted === 'prize')
  ) {
    return {
      kind: wanted,
      ...base,
      institution: candidate.sourceName,
      location: UNKNOWN_LOCATION,
      deadline: openDeadline,
    };
  }
  const date = candidate.publishedAt?.toISOString().slice(0, 10);
  return {
    kind: wanted === 'publication' ? 'publication' : 'news',
    ...base,
    source: candidate.sourceName,
    ...(date ? { date } : {}),
  };
}

function byDeadlineThenDate(a: Item, b: Item): number {
  const deadlineA = a.kind === 'event' ? a.start : itemDeadline(a);
  const deadlineB = b.kind === 'event' ? b.start : itemDeadline(b);
  if (deadlineA && deadlineB) return deadlineA.localeCompare(deadlineB);
  if (deadlineA || deadlineB) return deadlineA ? -1 : 1;
  const dateA = a.kind === 'news' || a.kind === 'publication' ? (a.date ?? '') : '';
  const dateB = b.kind === 'news' || b.kind === 'publication' ? (b.date ?? '') : '';
  return dateB.localeCompare(dateA);
}

/** What {@link selectCandidates} chose. */
export interface Selection {
  sections: IssueSection[];
  /** Ids of the candidates placed in the issue. */
  usedIds: number[];
}

/**
 * Places picked candidates into the newsletter's sections, in the newsletter's section order:
 * each in its own section (the first section when its section no longer exists), of the kind
 * its feed names ({@link kindForCandidate}), items with a deadline (or an event's start) by
 * nearest first, then news and publications newest first. A candidate whose link is already in the
 * issue (same page by `depeche check`'s comparison) is left out. Pure.
 */
export function selectCandidates(
  candidates: readonly Candidate[],
  newsletter: Pick<Newsletter, 'sections'> & Partial<Pick<Newsletter, 'feeds'>>,
  issueDate: string,
): Selection {
  const sectionIds = newsletter.sections.map((section) => section.id);
  const fallback = sectionIds[0] ?? 'news';
  const bySection = new Map<string, Item[]>();
  const seenUrls = new Set<string>();
  const usedIds: number[] = [];
  for (const candidate of candidates) {
    const key = normalizeUrlForComparison(candidate.canonicalUrl);
    if (seenUrls.has(key)) continue;
    seenUrls.add(key);
    const sectionId =
      candidate.sectionId && sectionIds.includes(candidate.sectionId)
        ? candidate.sectionId
        : fallback;
    bySection.set(sectionId, [
      ...(bySection.get(sectionId) ?? []),
      candidateToItem(candidate, issueDate, kindForCandidate(candidate, newsletter)),
    ]);
    usedIds.push(candidate.id);
  }
  const sections = sectionIds
    .filter((id) => (bySection.get(id)?.length ?? 0) > 0)
    .map((id) => ({ id, items: [...(bySection.get(id) ?? [])].sort(byDeadlineThenDate) }));
  return { sections, usedIds };
}
