import { sql } from 'drizzle-orm';

import { type Executor, queryRows } from './client.ts';

/** Status of a subscription: awaiting double opt-in, receiving, or opted out. */
export type SubscriptionStatusValue = 'pending' | 'active' | 'unsubscribed';

/** A subscription row. */
export interface SubscriptionRecord {
  subscriberId: number;
  newsletterId: string;
  status: SubscriptionStatusValue;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
}

interface RawSubscription {
  subscriber_id: string | number;
  newsletter_id: string;
  status: SubscriptionStatusValue;
  created_at: Date | string;
  updated_at: Date | string;
  confirmed_at: Date | string | null;
  unsubscribed_at: Date | string | null;
}

function toRecord(row: RawSubscription): SubscriptionRecord {
  return {
    subscriberId: Number(row.subscriber_id),
    newsletterId: row.newsletter_id,
    status: row.status,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    confirmedAt: row.confirmed_at === null ? null : new Date(row.confirmed_at),
    unsubscribedAt: row.unsubscribed_at === null ? null : new Date(row.unsubscribed_at),
  };
}

/** Subscriptions counted by newsletter and status. */
export interface SubscriptionStatusCount {
  newsletterId: string;
  status: SubscriptionStatusValue;
  count: number;
}

/** Data access of the `subscriptions` table. Pass a transaction to run inside it. */
export function createSubscriptionRepository(db: Executor) {
  return {
    /** Every subscription of a subscriber, by newsletter id. */
    async listForSubscriber(subscriberId: number): Promise<SubscriptionRecord[]> {
      const rows = await queryRows<RawSubscription>(
        db,
        sql`SELECT * FROM subscriptions WHERE subscriber_id = ${subscriberId} ORDER BY newsletter_id`,
      );
      return rows.map(toRecord);
    },

    /**
     * Sets the status of one subscription, creating it when missing. `confirmed_at` is set on
     * becoming active, `unsubscribed_at` on becoming unsubscribed.
     */
    async setStatus(
      subscriberId: number,
      newsletterId: string,
      status: SubscriptionStatusValue,
      now: Date,
    ): Promise<SubscriptionRecord> {
      const at = now.toISOString();
      const confirmedAt = status === 'active' ? sql`${at}::timestamptz` : sql`NULL::timestamptz`;
      const unsubscribedAt =
        status === 'unsubscribed' ? sql`${at}::timestamptz` : sql`NULL::timestamptz`;
      const rows = await queryRows<RawSubscription>(
        db,
        sql`INSERT INTO subscriptions AS sub (subscriber_id, newsletter_id, status, created_at,
              updated_at, confirmed_at, unsubscribed_at)
            VALUES (${subscriberId}, ${newsletterId}, ${status}, ${at}::timestamptz,
              ${at}::timestamptz, ${confirmedAt}, ${unsubscribedAt})
            ON CONFLICT (subscriber_id, newsletter_id) DO UPDATE SET
              status = EXCLUDED.status,
              updated_at = EXCLUDED.updated_at,
              confirmed_at = CASE WHEN EXCLUDED.status = 'active' THEN EXCLUDED.confirmed_at
                                  ELSE sub.confirmed_at END,
              unsubscribed_at = CASE WHEN EXCLUDED.status = 'unsubscribed'
                                     THEN EXCLUDED.unsubscribed_at ELSE NULL END
            RETURNING *`,
      );
      if (!rows[0]) throw new Error('subscription upsert returned no row');
      return toRecord(rows[0]);
    },

    /** Subscriptions counted by newsletter and status. */
    async countByStatus(): Promise<SubscriptionStatusCount[]> {
      const rows = await queryRows<{
        newsletter_id: string;
        status: SubscriptionStatusValue;
        n: string | number;
      }>(
        db,
        sql`SELECT newsletter_id, status, count(*) AS n FROM subscriptions
            GROUP BY newsletter_id, status ORDER BY newsletter_id, status`,
      );
      return rows.map((row) => ({
        newsletterId: row.newsletter_id,
        status: row.status,
        count: Number(row.n),
      }));
    },
  };
}

/** Data access of the `subscriptions` table. */
export type SubscriptionRepository = ReturnType<typeof createSubscriptionRepository>;
