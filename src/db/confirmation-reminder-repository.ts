import { sql } from 'drizzle-orm';

import type { ConfirmationDue } from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';

/** Queries of `depeche subscribers send-confirmations`. */
export function createConfirmationReminderRepository(db: Executor) {
  return {
    /**
     * Takes up to `limit` pending subscriptions of a newsletter whose opt-in mail was not asked
     * for since `notSince` (or never), and stamps them with `now`, in one statement: two runs
     * at once never take the same address, and a run repeated within the week takes none again.
     */
    async claimDue(
      newsletterId: string,
      notSince: Date,
      now: Date,
      limit: number,
    ): Promise<ConfirmationDue[]> {
      const rows = await queryRows<{ subscriber_id: string | number; locale: string }>(
        db,
        sql`WITH due AS (
              SELECT subscriber_id FROM subscriptions
              WHERE newsletter_id = ${newsletterId} AND status = 'pending'
                AND (confirmation_sent_at IS NULL
                     OR confirmation_sent_at < ${notSince.toISOString()}::timestamptz)
              ORDER BY subscriber_id LIMIT ${limit}
              FOR UPDATE SKIP LOCKED)
            UPDATE subscriptions s SET confirmation_sent_at = ${now.toISOString()}::timestamptz
            FROM due, subscribers p
            WHERE s.newsletter_id = ${newsletterId} AND s.subscriber_id = due.subscriber_id
              AND p.id = due.subscriber_id
            RETURNING s.subscriber_id, p.locale`,
      );
      return rows
        .map((row) => ({ subscriberId: Number(row.subscriber_id), locale: row.locale }))
        .sort((a, b) => a.subscriberId - b.subscriberId);
    },
  };
}

export type { ConfirmationDue };
