import { type Logger, mapSettled } from '../lib/index.ts';
import { FeedInvalidError, FeedUnreachableError } from './feed-errors.ts';
import { assessFeedHealth, type FeedAssessment, type FeedHealth } from './feed-health.ts';
import type { FeedRules } from './normalize-entry.ts';
import {
  type FeedPollResult,
  noSkips,
  pollFeed,
  type PollFeedDeps,
  type PollReport,
  withDeadline,
} from './poll-feed.ts';

/** The part of a newsletter the feed service reads (a `Newsletter` fits). */
export interface NewsletterFeeds {
  id: string;
  feeds: readonly FeedRules[];
}

/** One configured feed with its health verdict. */
export interface FeedHealthReport extends FeedAssessment {
  newsletterId: string;
  feedUrl: string;
  name: string;
  /**
   * Where the feed's address permanently redirects (301, 308): the URL editors should write
   * in `newsletter.yaml`; `null` when it does not.
   */
  movedTo: string | null;
  health: FeedHealth | null;
}

/** Dependencies of {@link createFeedService}. */
export interface FeedServiceDeps extends PollFeedDeps {
  logger: Logger;
  /** Feeds fetched at once (FEED_CONCURRENCY). */
  concurrency: number;
  /**
   * Deadline of one feed's whole poll (fetch, parse, store); past it the feed is recorded
   * as failed and its slot freed. The fetch has its own, shorter deadline.
   */
  feedDeadlineMs: number;
}

/**
 * Polls the monitored feeds of newsletters into candidates and keeps each feed's health.
 * Feeds are fetched concurrently up to `concurrency`; a broken, slow or hostile feed ends as a
 * recorded error of that feed and never holds up the others.
 */
export function createFeedService(deps: FeedServiceDeps) {
  const log = deps.logger.child({ component: 'feeds' });

  async function pollSafely(
    newsletterId: string,
    feed: FeedRules,
    known: FeedHealth | undefined,
  ): Promise<FeedPollResult> {
    const started = Date.now();
    try {
      return await withDeadline(pollFeed(deps, newsletterId, feed, known), deps.feedDeadlineMs);
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
      const settled = await mapSettled(jobs, deps.concurrency, (job) =>
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
            movedTo: health?.movedTo ?? null,
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
