import { sql } from 'drizzle-orm';

import { type Executor, queryRows } from './client.ts';

/**
 * The RFC 8058 one-click unsubscribe as one SQL statement: the UPDATE of the subscriptions and
 * the INSERT of their consent events run in one implicit transaction and one round trip, the
 * lean path mail providers hit in bursts. Same effect as the subscriber service's
 * `unsubscribe` (status `unsubscribed`, `unsubscribed_at`, one `unsubscribe` consent event per
 * subscription that changed); a repeat changes nothing and records nothing, also when two
 * requests race (the second re-checks the row after the first's lock).
 */
export function createOneClickRepository(db: Executor) {
  return {
    /** Unsubscribes from one newsletter or all; returns how many subscriptions changed. */
    async unsubscribe(request: {
      subscriberId: number;
      newsletterId: string | 'all';
      source: string;
      ip: string | null;
      now: Date;
    }): Promise<number> {
      const at = request.now.toISOString();
      const isAll = request.newsletterId === 'all';
      const rows = await queryRows<{ n: number }>(
        db,
        sql`WITH changed AS (
              UPDATE subscriptions
                 SET status = 'unsubscribed', updated_at = ${at}::timestamptz,
                     unsubscribed_at = ${at}::timestamptz
               WHERE subscriber_id = ${request.subscriberId}
                 AND (${isAll}::boolean OR newsletter_id = ${request.newsletterId})
                 AND status <> 'unsubscribed'
           RETURNING subscriber_id, newsletter_id
            ), logged AS (
              INSERT INTO consent_events
                (subscriber_id, newsletter_id, kind, source, consent_version, ip, details, occurred_at)
              SELECT subscriber_id, newsletter_id, 'unsubscribe', ${request.source}, NULL,
                     ${request.ip}, '{}'::jsonb, ${at}::timestamptz
                FROM changed
           RETURNING 1
            )
            SELECT count(*)::int AS n FROM logged`,
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/** See {@link createOneClickRepository}. */
export type OneClickRepository = ReturnType<typeof createOneClickRepository>;
