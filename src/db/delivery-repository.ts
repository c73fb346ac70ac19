import { sql } from 'drizzle-orm';
import { z } from 'zod';

import { type Executor, queryRows } from './client.ts';

/** Status of one delivery row. */
export const DeliveryStatusSchema = z.enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'uncertain',
  'skipped',
]);
/** See {@link DeliveryStatusSchema}. */
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** A claimed delivery row with what sending needs to know about its recipient. */
export const ClaimedRecipientSchema = z.object({
  deliveryId: z.coerce.number().int().positive(),
  subscriberId: z.coerce.number().int().positive(),
  email: z.string(),
  name: z.string().nullable(),
  locale: z.enum(['fr', 'en']),
});
/** See {@link ClaimedRecipientSchema}. */
export type ClaimedRecipient = z.infer<typeof ClaimedRecipientSchema>;

/** The outcome of one claimed row, written back by {@link DeliveryRepository.recordOutcomes}. */
export interface DeliveryOutcome {
  deliveryId: number;
  /** `queued` gives the row back (transient failure: a later attempt sends it). */
  status: 'sent' | 'failed' | 'queued';
  smtpResponse: string | null;
  messageId: string | null;
}

/** Number of delivery rows of a campaign in each status. */
export type DeliveryCounts = Record<DeliveryStatus, number>;

/**
 * Delivery rows: one per recipient of a campaign, the truth of what was sent. Claims are
 * atomic (`UPDATE … WHERE status = 'queued'`), so two workers never hold the same recipient.
 */
export function createDeliveryRepository() {
  return {
    /**
     * Rows of the batch left `sending` by an attempt whose worker died mid-conversation:
     * marks them `uncertain` (never resent automatically). Returns how many.
     */
    async markAbandonedUncertain(db: Executor, campaignId: number, batchNo: number) {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`UPDATE deliveries SET status = 'uncertain', updated_at = now(),
              smtp_response = 'worker stopped during the SMTP conversation'
            WHERE campaign_id = ${campaignId} AND batch_no = ${batchNo} AND status = 'sending'
            RETURNING id`,
      );
      return rows.length;
    },

    /**
     * Claims the queued rows of a batch (`queued` → `sending`) and returns their recipients.
     * Rows whose recipient has left meanwhile (erased, unsubscribed, suppressed) become
     * `skipped` instead.
     */
    async claimBatch(
      db: Executor,
      input: { campaignId: number; batchNo: number; newsletterId: string },
    ): Promise<{ recipients: ClaimedRecipient[]; skippedCount: number }> {
      return db.transaction(async (tx) => {
        const rows = await queryRows<Record<string, unknown> & { is_active: boolean }>(
          tx,
          sql`WITH claimed AS (
                UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
                WHERE campaign_id = ${input.campaignId} AND batch_no = ${input.batchNo}
                  AND status = 'queued'
                RETURNING id, subscriber_id
              )
              SELECT c.id AS "deliveryId", c.subscriber_id AS "subscriberId", s.email, s.name,
                     s.locale,
                     (s.id IS NOT NULL AND sub.status = 'active' AND NOT EXISTS (
                        SELECT 1 FROM suppressions x WHERE x.email_hash = s.email_hash)) AS is_active
              FROM claimed c
              LEFT JOIN subscribers s ON s.id = c.subscriber_id
              LEFT JOIN subscriptions sub
                ON sub.subscriber_id = c.subscriber_id AND sub.newsletter_id = ${input.newsletterId}
              ORDER BY c.id`,
        );
        const gone = rows.filter((row) => !row.is_active).map((row) => Number(row.deliveryId));
        if (gone.length > 0) {
          await tx.execute(
            sql`UPDATE deliveries SET status = 'skipped', updated_at = now(),
                  smtp_response = 'recipient left before sending'
                WHERE id IN (SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify(gone)}::jsonb))`,
          );
        }
        return {
          recipients: rows
            .filter((row) => row.is_active)
            .map((row) => ClaimedRecipientSchema.parse(row)),
          skippedCount: gone.length,
        };
      });
    },

    /**
     * Writes the outcomes of claimed rows in one statement (rows still `sending`, or marked
     * `uncertain` by a recovering attempt meanwhile: the outcome is now known). Returns how
     * many rows became sent and failed.
     */
    async recordOutcomes(
      db: Executor,
      outcomes: DeliveryOutcome[],
    ): Promise<{ sent: number; failed: number }> {
      if (outcomes.length === 0) return { sent: 0, failed: 0 };
      const rows = await queryRows<{ status: DeliveryStatus }>(
        db,
        sql`UPDATE deliveries d
            SET status = v.status, smtp_response = v."smtpResponse", message_id = v."messageId",
                sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE d.sent_at END,
                updated_at = now()
            FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb)
              AS v("deliveryId" bigint, status text, "smtpResponse" text, "messageId" text)
            WHERE d.id = v."deliveryId" AND d.status IN ('sending', 'uncertain')
            RETURNING d.status`,
      );
      return {
        sent: rows.filter((row) => row.status === 'sent').length,
        failed: rows.filter((row) => row.status === 'failed').length,
      };
    },

    /** How many rows of the campaign are in each status. */
    async countByStatus(db: Executor, campaignId: number): Promise<DeliveryCounts> {
      const rows = await queryRows<{ status: DeliveryStatus; n: number | string }>(
        db,
        sql`SELECT status, count(*)::int AS n FROM deliveries
            WHERE campaign_id = ${campaignId} GROUP BY status`,
      );
      const counts: DeliveryCounts = {
        queued: 0,
        sending: 0,
        sent: 0,
        failed: 0,
        uncertain: 0,
        skipped: 0,
      };
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },

    /** Batch numbers of the campaign that have rows in one of `statuses`. */
    async batchesWithStatus(
      db: Executor,
      campaignId: number,
      statuses: DeliveryStatus[],
    ): Promise<number[]> {
      const rows = await queryRows<{ batch_no: number | string }>(
        db,
        sql`SELECT DISTINCT batch_no FROM deliveries
            WHERE campaign_id = ${campaignId}
              AND status IN (${sql.join(
                statuses.map((s) => sql`${s}`),
                sql`, `,
              )})
            ORDER BY batch_no`,
      );
      return rows.map((row) => Number(row.batch_no));
    },

    /**
     * Gives failed or uncertain rows back to the queue (`retry`); returns how many rows and
     * which batches. Failed rows leave the campaign's failed count.
     */
    async requeue(
      db: Executor,
      campaignId: number,
      from: 'failed' | 'uncertain',
    ): Promise<{ count: number; batchNos: number[] }> {
      return db.transaction(async (tx) => {
        const rows = await queryRows<{ batch_no: number | string }>(
          tx,
          sql`UPDATE deliveries SET status = 'queued', updated_at = now()
              WHERE campaign_id = ${campaignId} AND status = ${from}
              RETURNING batch_no`,
        );
        if (from === 'failed' && rows.length > 0) {
          await tx.execute(
            sql`UPDATE campaigns SET failed_count = greatest(failed_count - ${rows.length}, 0)
                WHERE id = ${campaignId}`,
          );
        }
        const batchNos = [...new Set(rows.map((row) => Number(row.batch_no)))].sort(
          (a, b) => a - b,
        );
        return { count: rows.length, batchNos };
      });
    },

    /** The most frequent failure replies of a campaign, for `status`. */
    async topFailures(
      db: Executor,
      campaignId: number,
      limit = 5,
    ): Promise<Array<{ reply: string; count: number }>> {
      const rows = await queryRows<{ reply: string | null; n: number | string }>(
        db,
        sql`SELECT smtp_response AS reply, count(*)::int AS n FROM deliveries
            WHERE campaign_id = ${campaignId} AND status = 'failed'
            GROUP BY smtp_response ORDER BY n DESC LIMIT ${limit}`,
      );
      return rows.map((row) => ({ reply: row.reply ?? '(no reply)', count: Number(row.n) }));
    },
  };
}

/** See {@link createDeliveryRepository}. */
export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
