import { sql } from 'drizzle-orm';

import type { ExpiredPending } from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';

/**
 * The queries of the retention job (see `subscribers/retention.ts`): which pending
 * subscriptions were never confirmed in time, which unsubscribed people are past their period.
 */
export function createRetentionRepository(db: Executor) {
  return {
    /**
     * Pending subscriptions not touched (requested or re-sent) since `before`, oldest first.
     */
    async listExpiredPending(before: Date, limit: number): Promise<ExpiredPending[]> {
      const rows = await queryRows<{ subscriber_id: string | number; newsletter_id: string }>(
        db,
        sql`SELECT subscriber_id, newsletter_id FROM subscriptions
            WHERE status = 'pending' AND updated_at < ${before.toISOString()}::timestamptz
            ORDER BY updated_at, subscriber_id, newsletter_id LIMIT ${limit}`,
      );
      return rows.map((row) => ({
        subscriberId: Number(row.subscriber_id),
        newsletterId: row.newsletter_id,
      }));
    },

    /** Deletes one pending subscription if it is still pending and expired; says whether it did. */
    async deleteExpiredPending(entry: ExpiredPending, before: Date): Promise<boolean> {
      const rows = await queryRows<{ subscriber_id: string | number }>(
        db,
        sql`DELETE FROM subscriptions
            WHERE subscriber_id = ${entry.subscriberId} AND newsletter_id = ${entry.newsletterId}
              AND status = 'pending' AND updated_at < ${before.toISOString()}::timestamptz
            RETURNING subscriber_id`,
      );
      return rows.length > 0;
    },

    /** Whether the subscriber has no subscription left at all. */
    async hasNoSubscription(subscriberId: number): Promise<boolean> {
      const rows = await queryRows<{ n: string | number }>(
        db,
        sql`SELECT count(*) AS n FROM subscriptions WHERE subscriber_id = ${subscriberId}`,
      );
      return Number(rows[0]?.n ?? 0) === 0;
    },

    /**
     * Subscribers who are subscribed to nothing (every subscription `unsubscribed`) and whose
     * last unsubscribe is older than `before`.
     */
    async listLongUnsubscribed(before: Date, limit: number): Promise<number[]> {
      const rows = await queryRows<{ subscriber_id: string | number }>(
        db,
        sql`SELECT subscriber_id FROM subscriptions
            GROUP BY subscriber_id
            HAVING bool_and(status = 'unsubscribed')
               AND max(coalesce(unsubscribed_at, updated_at)) < ${before.toISOString()}::timestamptz
            ORDER BY subscriber_id LIMIT ${limit}`,
      );
      return rows.map((row) => Number(row.subscriber_id));
    },
  };
}

/** Data access of the retention job. */
export type RetentionRepository = ReturnType<typeof createRetentionRepository>;

export type { ExpiredPending };
