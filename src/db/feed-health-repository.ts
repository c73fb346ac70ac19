import { eq, sql } from 'drizzle-orm';

import { type FeedHealth, FeedHealthSchema, type FeedPollRecord } from '../feeds/index.ts';
import type { Executor } from './client.ts';
import { feedHealth } from './schema/index.ts';

/**
 * Health of the monitored feeds: one row per newsletter and feed URL, updated after each poll
 * (conditional-GET validators, last success and error, consecutive failures, rhythm, where a
 * permanent redirect leads). A failed poll leaves the last known `movedTo` as it was.
 */
export function createFeedHealthRepository(db: Executor) {
  return {
    /** Every recorded feed of a newsletter. */
    async listForNewsletter(newsletterId: string): Promise<FeedHealth[]> {
      const rows = await db
        .select()
        .from(feedHealth)
        .where(eq(feedHealth.newsletterId, newsletterId));
      return rows.map((row) => FeedHealthSchema.parse(row));
    },

    /** Records the outcome of one poll of one feed. */
    async record(poll: FeedPollRecord): Promise<void> {
      const key = { newsletterId: poll.newsletterId, feedUrl: poll.feedUrl, name: poll.name };
      const target = [feedHealth.newsletterId, feedHealth.feedUrl];
      if (poll.status === 'ok') {
        const lastNewItemAt = poll.newCount > 0 ? poll.at : null;
        await db
          .insert(feedHealth)
          .values({
            ...key,
            etag: poll.etag,
            lastModified: poll.lastModified,
            lastPolledAt: poll.at,
            lastSuccessAt: poll.at,
            consecutiveFailures: 0,
            itemsSeen: poll.entryCount,
            lastEntryCount: poll.entryCount,
            lastNewItemAt,
            newestEntryAt: poll.newestEntryAt,
            typicalGapSec: poll.typicalGapSec,
            movedTo: poll.movedTo,
          })
          .onConflictDoUpdate({
            target,
            set: {
              name: poll.name,
              etag: poll.etag,
              lastModified: poll.lastModified,
              lastPolledAt: poll.at,
              lastSuccessAt: poll.at,
              consecutiveFailures: 0,
              itemsSeen: sql`feed_health.items_seen + ${poll.entryCount}`,
              lastEntryCount: poll.entryCount,
              lastNewItemAt: sql`coalesce(${lastNewItemAt}::timestamptz, feed_health.last_new_item_at)`,
              newestEntryAt: sql`greatest(${poll.newestEntryAt}::timestamptz, feed_health.newest_entry_at)`,
              typicalGapSec: sql`coalesce(${poll.typicalGapSec}::integer, feed_health.typical_gap_sec)`,
              movedTo: poll.movedTo,
            },
          });
        return;
      }
      if (poll.status === 'not-modified') {
        await db
          .insert(feedHealth)
          .values({ ...key, lastPolledAt: poll.at, lastSuccessAt: poll.at, movedTo: poll.movedTo })
          .onConflictDoUpdate({
            target,
            set: {
              name: poll.name,
              lastPolledAt: poll.at,
              lastSuccessAt: poll.at,
              consecutiveFailures: 0,
              movedTo: poll.movedTo,
            },
          });
        return;
      }
      const failure = {
        lastPolledAt: poll.at,
        lastErrorAt: poll.at,
        lastError: poll.message.slice(0, 1000),
        lastErrorReason: poll.reason,
      };
      await db
        .insert(feedHealth)
        .values({ ...key, ...failure, consecutiveFailures: 1 })
        .onConflictDoUpdate({
          target,
          set: {
            ...failure,
            name: poll.name,
            consecutiveFailures: sql`feed_health.consecutive_failures + 1`,
          },
        });
    },
  };
}

/** The feed health repository. */
export type FeedHealthRepository = ReturnType<typeof createFeedHealthRepository>;
