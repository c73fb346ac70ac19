import {
  type IssueSection,
  type Item,
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
 * The issue item of a picked candidate, with the title and summary an editor rewrote for the
 * issue when there are some:
 * - with a deadline still open on the issue date: a `call`, the source as institution and
 *   « À préciser » as location (the feed does not say where);
 * - otherwise a `news` item with its source and publication date.
 */
export function candidateToItem(candidate: Candidate, issueDate: string): Item {
  const title = candidate.issueTitle || candidate.title;
  const summary = escapeMarkdown(candidate.issueSummary || candidate.summary || title);
  const base = { title, summary, url: candidate.canonicalUrl };
  if (candidate.deadline && candidate.deadline >= issueDate) {
    return {
      kind: 'call',
      ...base,
      institution: candidate.sourceName,
      location: UNKNOWN_LOCATION,
      deadline: candidate.deadline,
    };
  }
  const date = candidate.publishedAt?.toISOString().slice(0, 10);
  return {
    kind: 'news',
    ...base,
    source: candidate.sourceName,
    ...(date ? { date } : {}),
  };
}

function byDeadlineThenDate(a: Item, b: Item): number {
  const deadlineA = a.kind === 'call' ? a.deadline : undefined;
  const deadlineB = b.kind === 'call' ? b.deadline : undefined;
  if (deadlineA && deadlineB) return deadlineA.localeCompare(deadlineB);
  if (deadlineA || deadlineB) return deadlineA ? -1 : 1;
  const dateA = a.kind === 'news' ? (a.date ?? '') : '';
  const dateB = b.kind === 'news' ? (b.date ?? '') : '';
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
 * each in its own section (the first section when its section no longer exists), calls by
 * nearest deadline first, then news newest first. A candidate whose link is already in the
 * issue (same page by `depeche check`'s comparison) is left out. Pure.
 */
export function selectCandidates(
  candidates: readonly Candidate[],
  newsletter: Pick<Newsletter, 'sections'>,
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
      candidateToItem(candidate, issueDate),
    ]);
    usedIds.push(candidate.id);
  }
  const sections = sectionIds
    .filter((id) => (bySection.get(id)?.length ?? 0) > 0)
    .map((id) => ({ id, items: [...(bySection.get(id) ?? [])].sort(byDeadlineThenDate) }));
  return { sections, usedIds };
}
