import { and, eq, ne, or, sql } from 'drizzle-orm';

import type {
  SubscriptionRecord,
  SubscriptionStatusCount,
  SubscriptionStatusValue,
  UnsubscribeEvent,
} from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';
import { consentEvents, subscriptions } from './schema/index.ts';

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

const placeholder = sql.placeholder;

/**
 * Unsubscribing as one statement: the UPDATE of the subscriptions that are not unsubscribed yet
 * and the INSERT of one `unsubscribe` consent event per row it changed, in one implicit
 * transaction and one round trip. A repeat changes nothing and records nothing, also when two
 * requests race (READ COMMITTED re-checks `status` after the first one's row lock). Built once
 * per repository as a named prepared statement: PostgreSQL parses and plans it once per
 * connection, not per request (PGlite ignores the name).
 */
function prepareUnsubscribe(db: Executor) {
  const now = sql`${placeholder('now')}::timestamptz`;
  const changed = db.$with('changed').as(
    db
      .update(subscriptions)
      .set({ status: 'unsubscribed', updatedAt: now, unsubscribedAt: now })
      .where(
        and(
          eq(subscriptions.subscriberId, placeholder('subscriberId')),
          or(
            sql`${placeholder('isAll')}::boolean`,
            eq(subscriptions.newsletterId, placeholder('newsletterId')),
          ),
          ne(subscriptions.status, 'unsubscribed'),
        ),
      )
      .returning({
        subscriberId: subscriptions.subscriberId,
        newsletterId: subscriptions.newsletterId,
      }),
  );
  // drizzle's INSERT … SELECT wants every column of the table, the identity too: written out.
  const logged = db.$with('logged', { newsletterId: consentEvents.newsletterId }).as(
    sql`INSERT INTO ${consentEvents}
          (subscriber_id, newsletter_id, kind, source, consent_version, ip, details, occurred_at)
        SELECT subscriber_id, newsletter_id, 'unsubscribe', ${placeholder('source')}::text,
               ${placeholder('consentVersion')}::text,
               ${placeholder('ip')}::text, '{}'::jsonb, ${now}
          FROM changed
        RETURNING newsletter_id`,
  );
  return db
    .with(changed, logged)
    .select({ newsletterId: logged.newsletterId })
    .from(logged)
    .prepare('depeche_subscriptions_unsubscribe');
}

/** Data access of the `subscriptions` table. Pass a transaction to run inside it. */
export function createSubscriptionRepository(db: Executor) {
  let unsubscribeStatement: ReturnType<typeof prepareUnsubscribe> | undefined;
  return {
    /**
     * Unsubscribes a subscriber from one newsletter or `'all'`, with one `unsubscribe` consent
     * event per subscription changed, in one statement (see {@link prepareUnsubscribe}).
     * Returns the newsletters unsubscribed now, sorted: none when already unsubscribed or when
     * the subscriber does not exist.
     */
    async unsubscribe(
      subscriberId: number,
      newsletterId: string | 'all',
      event: UnsubscribeEvent,
    ): Promise<string[]> {
      unsubscribeStatement ??= prepareUnsubscribe(db);
      const rows = await unsubscribeStatement.execute({
        subscriberId,
        isAll: newsletterId === 'all',
        newsletterId,
        source: event.source,
        consentVersion: event.consentVersion,
        ip: event.ip,
        now: event.now.toISOString(),
      });
      return rows.map((row) => row.newsletterId ?? '').sort();
    },

    /** Every subscription of a subscriber, by newsletter id. */
    async listForSubscriber(subscriberId: number): Promise<SubscriptionRecord[]> {
      const rows = await queryRows<RawSubscription>(
        db,
        sql`SELECT * FROM subscriptions WHERE subscriber_id = ${subscriberId} ORDER BY newsletter_id`,
      );
      return rows.map(toRecord);
    },

    /** Every subscription of the subscribers `ids`, by subscriber and newsletter id. */
    async listForSubscribers(ids: readonly number[]): Promise<SubscriptionRecord[]> {
      if (ids.length === 0) return [];
      const rows = await queryRows<RawSubscription>(
        db,
        sql`SELECT * FROM subscriptions
            WHERE subscriber_id IN (${sql.join(
              ids.map((id) => sql`${id}`),
              sql`, `,
            )})
            ORDER BY subscriber_id, newsletter_id`,
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

export type {
  SubscriptionRecord,
  SubscriptionStatusCount,
  SubscriptionStatusValue,
  UnsubscribeEvent,
};
