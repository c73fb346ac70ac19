import type { Clock, Logger } from '../lib/index.ts';
import type { NewCandidate } from './candidate.ts';
import { FeedInvalidError, FeedUnreachableError } from './feed-errors.ts';
import type { FeedFetcher } from './feed-fetcher.ts';
import {
  assessFeedHealth,
  type FeedAssessment,
  type FeedHealth,
  medianGapSec,
} from './feed-health.ts';
import { type FeedRules, normalizeEntry, type SkipReason } from './normalize-entry.ts';
import { runLimited } from './run-limited.ts';

/** The part of a newsletter the feed service reads (a `Newsletter` fits). */
export interface NewsletterFeeds {
  id: string;
  feeds: readonly FeedRules[];
}

/** What a poll records about one feed; the health store turns it into the feed's row. */
export type FeedPollRecord = { newsletterId: string; feedUrl: string; name: string; at: Date } & (
  | {
      status: 'ok';
      etag: string | null;
      lastModified: string | null;
      entryCount: number;
      newCount: number;
      newestEntryAt: Date | null;
      typicalGapSec: number | null;
    }
  | { status: 'not-modified' }
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

/** One configured feed with its health verdict. */
export interface FeedHealthReport extends FeedAssessment {
  newsletterId: string;
  feedUrl: string;
  name: string;
  health: FeedHealth | null;
}

/** Dependencies of {@link createFeedService}. */
export interface FeedServiceDeps {
  fetcher: FeedFetcher;
  candidates: CandidateStore;
  health: FeedHealthStore;
  clock: Clock;
  logger: Logger;
  /** Feeds fetched at once (FEED_CONCURRENCY). */
  concurrency: number;
  /**
   * Deadline of one feed's whole poll (fetch, parse, store); past it the feed is recorded
   * as failed and its slot freed. The fetch has its own, shorter deadline.
   */
  feedDeadlineMs: number;
}

const noSkips = (): Record<SkipReason, number> => ({
  'no-link': 0,
  'no-title': 0,
  'too-old': 0,
  excluded: 0,
  'not-included': 0,
});

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
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
 * Polls the monitored feeds of newsletters into candidates and keeps each feed's health.
 * Feeds are fetched concurrently up to `concurrency`; a broken, slow or hostile feed ends as a
 * recorded error of that feed and never holds up the others.
 */
export function createFeedService(deps: FeedServiceDeps) {
  const log = deps.logger.child({ component: 'feeds' });

  async function pollFeed(
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
    if (fetched.status === 'not-modified') {
      await deps.health.record({ ...base, at: now, status: 'not-modified' });
      return {
        ...base,
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
      .filter(
        (date): date is Date => date !== null && !Number.isNaN(date.getTime()) && date <= now,
      );
    await deps.health.record({
      ...base,
      at: now,
      status: 'ok',
      etag: fetched.etag ?? null,
      lastModified: fetched.lastModified ?? null,
      entryCount: fetched.entries.length,
      newCount: newCandidates,
      newestEntryAt:
        dates.length === 0 ? null : new Date(Math.max(...dates.map((d) => d.getTime()))),
      typicalGapSec: medianGapSec(dates),
    });
    return {
      ...base,
      status: 'ok',
      entries: fetched.entries.length,
      newCandidates,
      skipped,
      durationMs: Date.now() - started,
    };
  }

  async function pollSafely(
    newsletterId: string,
    feed: FeedRules,
    known: FeedHealth | undefined,
  ): Promise<FeedPollResult> {
    const started = Date.now();
    try {
      return await withDeadline(pollFeed(newsletterId, feed, known), deps.feedDeadlineMs);
    } catch (error) {
      const isFeedError =
        error instanceof FeedUnreachableError || error instanceof FeedInvalidError;
      const reason = isFeedError ? error.reason : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      log.warn(
        {
          event: 'feed.poll.failed',
          newsletterId,
          feedUrl: feed.url,
          reason,
          err: isFeedError ? undefined : error,
        },
        'feed poll failed',
      );
      await deps.health
        .record({
          newsletterId,
          feedUrl: feed.url,
          name: feed.name,
          at: deps.clock.now(),
          status: 'error',
          reason,
          message,
        })
        .catch((recordError: unknown) =>
          log.error({ err: recordError, feedUrl: feed.url }, 'feed health not recorded'),
        );
      return {
        newsletterId,
        feedUrl: feed.url,
        name: feed.name,
        status: 'error',
        entries: 0,
        newCandidates: 0,
        skipped: noSkips(),
        error: { reason, message },
        durationMs: Date.now() - started,
      };
    }
  }

  return {
    /** Polls every feed of `newsletters` once; never throws for a feed's failure. */
    async poll(newsletters: readonly NewsletterFeeds[]): Promise<PollReport> {
      const jobs: Array<{ newsletterId: string; feed: FeedRules; known: FeedHealth | undefined }> =
        [];
      for (const newsletter of newsletters) {
        const known = new Map(
          (await deps.health.listForNewsletter(newsletter.id)).map((row) => [row.feedUrl, row]),
        );
        for (const feed of newsletter.feeds) {
          jobs.push({ newsletterId: newsletter.id, feed, known: known.get(feed.url) });
        }
      }
      const settled = await runLimited(jobs, deps.concurrency, (job) =>
        pollSafely(job.newsletterId, job.feed, job.known),
      );
      const feeds = settled.map((outcome) => {
        // pollSafely never rejects; this keeps the type honest.
        if (outcome.status === 'fulfilled') return outcome.value;
        throw outcome.reason;
      });
      const totals = {
        feeds: feeds.length,
        failed: feeds.filter((feed) => feed.status === 'error').length,
        entries: feeds.reduce((sum, feed) => sum + feed.entries, 0),
        newCandidates: feeds.reduce((sum, feed) => sum + feed.newCandidates, 0),
      };
      log.info(totals, 'feeds polled');
      return { feeds, totals };
    },

    /** The health of every configured feed of `newsletters`, with its verdict. */
    async health(newsletters: readonly NewsletterFeeds[]): Promise<FeedHealthReport[]> {
      const now = deps.clock.now();
      const reports: FeedHealthReport[] = [];
      for (const newsletter of newsletters) {
        const rows = new Map(
          (await deps.health.listForNewsletter(newsletter.id)).map((row) => [row.feedUrl, row]),
        );
        for (const feed of newsletter.feeds) {
          const health = rows.get(feed.url);
          reports.push({
            newsletterId: newsletter.id,
            feedUrl: feed.url,
            name: feed.name,
            health: health ?? null,
            ...assessFeedHealth(health, now),
          });
        }
      }
      return reports;
    },
  };
}

/** The feed service. */
export type FeedService = ReturnType<typeof createFeedService>;
