import { sql } from 'drizzle-orm';

import { type Database, queryRows } from './client.ts';

/** Number of delivery rows of one newsletter in one status, for the `/metrics` page. */
export interface DeliveryCount {
  newsletterId: string;
  status: string;
  count: number;
}

/** Number of subscriptions of one newsletter in one status. */
export interface SubscriptionCount {
  newsletterId: string;
  status: string;
  count: number;
}

/** Inbound events (bounces, complaints, …) of one kind and class, for the `/metrics` page. */
export interface BounceEventCount {
  /** bounce, complaint, unsubscribe, auto-reply or unclassified. */
  kind: string;
  /** hard, soft, policy or unknown for a bounce; `none` otherwise. */
  class: string;
  count: number;
}

/** Failure state of one monitored feed. */
export interface FeedFailureCount {
  newsletterId: string;
  feedUrl: string;
  name: string;
  consecutiveFailures: number;
  hasError: boolean;
}

/**
 * Read-only aggregate queries behind `/readyz` and `/metrics`. They read the tables of several
 * concepts but never write; each one is a single indexed aggregate, cheap at scrape intervals.
 */
export function createOpsRepository(db: Pick<Database, 'execute'>) {
  return {
    /** Answers when the database does; throws otherwise. */
    async ping(): Promise<void> {
      await queryRows(db, sql`SELECT 1 AS ok`);
    },

    /** Delivery rows counted by newsletter and status (sent, failed, uncertain, …). */
    async countDeliveries(): Promise<DeliveryCount[]> {
      const rows = await queryRows<{ newsletter_id: string; status: string; n: number }>(
        db,
        sql`SELECT c.newsletter_id, d.status, count(*)::int AS n
            FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
            GROUP BY c.newsletter_id, d.status`,
      );
      return rows.map((row) => ({
        newsletterId: row.newsletter_id,
        status: row.status,
        count: Number(row.n),
      }));
    },

    /** Subscriptions counted by newsletter and status (pending, active, unsubscribed). */
    async countSubscriptions(): Promise<SubscriptionCount[]> {
      const rows = await queryRows<{ newsletter_id: string; status: string; n: number }>(
        db,
        sql`SELECT newsletter_id, status, count(*)::int AS n
            FROM subscriptions GROUP BY newsletter_id, status`,
      );
      return rows.map((row) => ({
        newsletterId: row.newsletter_id,
        status: row.status,
        count: Number(row.n),
      }));
    },

    /** What came back (bounces by class, complaints, unsubscribes…), counted since the start. */
    async countBounceEvents(): Promise<BounceEventCount[]> {
      const rows = await queryRows<{ kind: string; class: string; n: number }>(
        db,
        sql`SELECT kind, coalesce(class, 'none') AS class, count(*)::int AS n
            FROM bounce_events GROUP BY kind, coalesce(class, 'none')`,
      );
      return rows.map((row) => ({ kind: row.kind, class: row.class, count: Number(row.n) }));
    },

    /** Every monitored feed with its consecutive poll failures. */
    async listFeedFailures(): Promise<FeedFailureCount[]> {
      const rows = await queryRows<{
        newsletter_id: string;
        feed_url: string;
        name: string;
        consecutive_failures: number;
        last_error: string | null;
      }>(
        db,
        sql`SELECT newsletter_id, feed_url, name, consecutive_failures, last_error
            FROM feed_health ORDER BY newsletter_id, feed_url`,
      );
      return rows.map((row) => ({
        newsletterId: row.newsletter_id,
        feedUrl: row.feed_url,
        name: row.name,
        consecutiveFailures: Number(row.consecutive_failures),
        hasError: row.last_error !== null,
      }));
    },
  };
}

/** The read-only queries of operations endpoints. */
export type OpsRepository = ReturnType<typeof createOpsRepository>;
