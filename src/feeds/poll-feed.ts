import type { Clock } from '../lib/index.ts';
import type { NewCandidate } from './candidate.ts';
import { FeedUnreachableError } from './feed-errors.ts';
import type { FeedFetcher } from './feed-fetcher.ts';
import { type FeedHealth, medianGapSec } from './feed-health.ts';
import { type FeedRules, normalizeEntry, type SkipReason } from './normalize-entry.ts';

/** What a poll records about one feed; the health store turns it into the feed's row. */
export type FeedPollRecord = { newsletterId: string; feedUrl: string; name: string; at: Date } & (
  | {
      status: 'ok';
      /** Where permanent redirects lead, or `null` when the address answers itself. */
      movedTo: string | null;
      etag: string | null;
      lastModified: string | null;
      entryCount: number;
      newCount: number;
      newestEntryAt: Date | null;
      typicalGapSec: number | null;
    }
  | { status: 'not-modified'; movedTo: string | null }
  | { status: 'error'; reason: string; message: string }
);

/** Where feed health is kept (`createFeedHealthRepository` in `src/db`). */
export interface FeedHealthStore {
  listForNewsletter(newsletterId: string): Promise<FeedHealth[]>;
  record(poll: FeedPollRecord): Promise<void>;
}

/** Where candidates are kept (`createCandidateRepository` in `src/db`). */
export interface CandidateStore {
  /** Stores the candidates not already known (URL, GUID, title key); returns how many. */
  insertNew(candidates: readonly NewCandidate[]): Promise<number>;
}

/** The outcome of polling one feed. */
export interface FeedPollResult {
  newsletterId: string;
  feedUrl: string;
  name: string;
  status: 'ok' | 'not-modified' | 'error';
  /** Where permanent redirects (301, 308) say the feed moved: update `newsletter.yaml`. */
  movedTo?: string;
  entries: number;
  newCandidates: number;
  skipped: Record<SkipReason, number>;
  error?: { reason: string; message: string };
  durationMs: number;
}

/** The outcome of one poll of several feeds. */
export interface PollReport {
  feeds: FeedPollResult[];
  totals: { feeds: number; failed: number; entries: number; newCandidates: number };
}

/** What {@link pollFeed} needs. */
export interface PollFeedDeps {
  fetcher: FeedFetcher;
  candidates: CandidateStore;
  health: FeedHealthStore;
  clock: Clock;
}

/** A count of zero for every skip reason. */
export const noSkips = (): Record<SkipReason, number> => ({
  'no-link': 0,
  'no-title': 0,
  'too-old': 0,
  excluded: 0,
  'not-included': 0,
});

/** Rejects with a `timeout` feed error when `work` takes longer than `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FeedUnreachableError('timeout', `poll did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Polls one feed: conditional fetch with the validators of its last success, normalisation of
 * every entry, storage of the new candidates, and the health record. Feed errors are thrown.
 */
export async function pollFeed(
  deps: PollFeedDeps,
  newsletterId: string,
  feed: FeedRules,
  known: FeedHealth | undefined,
): Promise<FeedPollResult> {
  const started = Date.now();
  const skipped = noSkips();
  const base = { newsletterId, feedUrl: feed.url, name: feed.name };
  const fetched = await deps.fetcher.fetch(feed.url, {
    etag: known?.etag,
    lastModified: known?.lastModified,
  });
  const now = deps.clock.now();
  const movedTo = fetched.movedTo ?? null;
  const moved = movedTo === null ? {} : { movedTo };
  if (fetched.status === 'not-modified') {
    await deps.health.record({ ...base, at: now, status: 'not-modified', movedTo });
    return {
      ...base,
      ...moved,
      status: 'not-modified',
      entries: 0,
      newCandidates: 0,
      skipped,
      durationMs: Date.now() - started,
    };
  }
  const candidates: NewCandidate[] = [];
  for (const entry of fetched.entries) {
    const outcome = normalizeEntry(entry, { newsletterId, feed, now });
    if (outcome.kind === 'candidate') candidates.push(outcome.candidate);
    else skipped[outcome.reason] += 1;
  }
  const newCandidates = candidates.length === 0 ? 0 : await deps.candidates.insertNew(candidates);
  const dates = fetched.entries
    .map((entry) => (entry.published ? new Date(entry.published) : null))
    .filter((date): date is Date => date !== null && !Number.isNaN(date.getTime()) && date <= now);
  await deps.health.record({
    ...base,
    at: now,
    status: 'ok',
    movedTo,
    etag: fetched.etag ?? null,
    lastModified: fetched.lastModified ?? null,
    entryCount: fetched.entries.length,
    newCount: newCandidates,
    newestEntryAt: dates.length === 0 ? null : new Date(Math.max(...dates.map((d) => d.getTime()))),
    typicalGapSec: medianGapSec(dates),
  });
  return {
    ...base,
    ...moved,
    status: 'ok',
    entries: fetched.entries.length,
    newCandidates,
    skipped,
    durationMs: Date.now() - started,
  };
}
