import { sql } from 'drizzle-orm';

import {
  type BatchStore,
  CampaignStatusSchema,
  type ClaimedRecipient,
  ClaimedRecipientSchema,
  type DeliveryCounts,
  type DeliveryStatus,
  type DeliveryStore,
  type ProgressWrite,
  type ProgressWritten,
} from '../campaigns/index.ts';
import { toBigintArrayLiteral } from './array-literals.ts';
import { type Executor, queryRows } from './client.ts';

/**
 * Delivery rows (campaigns' `DeliveryStore`, sending's `BatchStore`): one per recipient of a
 * campaign, the truth of what was sent. Each row is
 * claimed atomically (`UPDATE … WHERE status = 'queued'`) right before its message goes to the
 * transport, so two workers never hold the same recipient and `sending` means "handed to the
 * SMTP transport, outcome not yet written".
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
     * Reads the queued rows of a batch with their recipients, leaving them `queued`: each row is
     * claimed on its own by `writeProgress` right before its message
     * goes to the transport. Rows whose recipient has left meanwhile (erased, unsubscribed,
     * suppressed) become `skipped` instead.
     */
    async loadBatch(
      db: Executor,
      input: { campaignId: number; batchNo: number; newsletterId: string },
    ): Promise<{ recipients: ClaimedRecipient[]; skippedCount: number }> {
      return db.transaction(async (tx) => {
        const rows = await queryRows<Record<string, unknown> & { is_active: boolean }>(
          tx,
          sql`SELECT d.id AS "deliveryId", d.subscriber_id AS "subscriberId", s.email, s.name,
                     s.locale,
                     (s.id IS NOT NULL AND sub.status = 'active' AND NOT EXISTS (
                        SELECT 1 FROM suppressions x WHERE x.email_hash = s.email_hash)) AS is_active
              FROM deliveries d
              LEFT JOIN subscribers s ON s.id = d.subscriber_id
              LEFT JOIN subscriptions sub
                ON sub.subscriber_id = d.subscriber_id AND sub.newsletter_id = ${input.newsletterId}
              WHERE d.campaign_id = ${input.campaignId} AND d.batch_no = ${input.batchNo}
                AND d.status = 'queued'
              ORDER BY d.id`,
        );
        const gone = rows.filter((row) => !row.is_active).map((row) => Number(row.deliveryId));
        let skippedCount = 0;
        if (gone.length > 0) {
          const skipped = await queryRows<{ id: string }>(
            tx,
            sql`UPDATE deliveries SET status = 'skipped', updated_at = now(),
                  smtp_response = 'recipient left before sending'
                WHERE id = ANY(${toBigintArrayLiteral(gone)}::bigint[]) AND status = 'queued'
                RETURNING id`,
          );
          skippedCount = skipped.length;
        }
        return {
          recipients: rows
            .filter((row) => row.is_active)
            .map((row) => ClaimedRecipientSchema.parse(row)),
          skippedCount,
        };
      });
    },

    /**
     * One round trip of the sending workers, in one statement: writes `outcomes` of claimed rows
     * (rows still `sending`, or marked `uncertain` by a recovering attempt meanwhile: the outcome
     * is now known) and adds them to their campaigns' counts; then claims the rows of `claims`
     * (`queued` → `sending`, attempts + 1) whose campaign is `sending`. Returns the rows claimed
     * (a row missing was taken by another attempt, or its campaign was paused or cancelled) and
     * the counts and status of every campaign named.
     */
    async writeProgress(db: Executor, input: ProgressWrite): Promise<ProgressWritten> {
      if (input.outcomes.length === 0 && input.claims.length === 0) {
        return { claimed: new Set(), campaigns: new Map() };
      }
      const claimIds = toBigintArrayLiteral(input.claims.map((claim) => claim.deliveryId));
      const claimCampaigns = toBigintArrayLiteral([
        ...new Set(input.claims.map((claim) => claim.campaignId)),
      ]);
      const rows = await queryRows<{
        kind: 'claimed' | 'campaign';
        id: string | number;
        status: string | null;
        sent: number | null;
        failed: number | null;
      }>(
        db,
        sql`WITH v AS (
              SELECT * FROM jsonb_to_recordset(${JSON.stringify(input.outcomes)}::jsonb)
                AS v("deliveryId" bigint, status text, "smtpResponse" text, "messageId" text)
            ), recorded AS (
              UPDATE deliveries d
              SET status = v.status, smtp_response = v."smtpResponse", message_id = v."messageId",
                  sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE d.sent_at END,
                  updated_at = now()
              FROM v
              WHERE d.id = v."deliveryId" AND d.status IN ('sending', 'uncertain')
              RETURNING d.campaign_id, d.status
            ), counted AS (
              UPDATE campaigns c
              SET sent_count = c.sent_count + r.sent, failed_count = c.failed_count + r.failed,
                  updated_at = now()
              FROM (SELECT campaign_id,
                      count(*) FILTER (WHERE status = 'sent')::int AS sent,
                      count(*) FILTER (WHERE status = 'failed')::int AS failed
                    FROM recorded GROUP BY campaign_id) r
              WHERE c.id = r.campaign_id
              RETURNING c.id, c.status, c.sent_count, c.failed_count
            ), claimed AS (
              UPDATE deliveries d
              SET status = 'sending', attempts = d.attempts + 1, updated_at = now()
              WHERE d.id = ANY(${claimIds}::bigint[]) AND d.status = 'queued'
                -- a scalar subquery, not EXISTS: as a join it let the planner, with the
                -- statistics of a table that was empty at its last ANALYZE, walk every queued
                -- row of the campaign in the progress index instead of the few ids asked
                AND (SELECT c.status FROM campaigns c WHERE c.id = d.campaign_id) = 'sending'
              RETURNING d.id
            )
            SELECT 'claimed' AS kind, id, NULL::text AS status, NULL::int AS sent,
                   NULL::int AS failed
            FROM claimed
            UNION ALL
            SELECT 'campaign', id, status, sent_count, failed_count FROM counted
            UNION ALL
            SELECT 'campaign', id, status, sent_count, failed_count FROM campaigns
            WHERE id = ANY(${claimCampaigns}::bigint[]) AND id NOT IN (SELECT id FROM counted)`,
      );
      const written: ProgressWritten = { claimed: new Set(), campaigns: new Map() };
      for (const row of rows) {
        if (row.kind === 'claimed') {
          written.claimed.add(Number(row.id));
          continue;
        }
        written.campaigns.set(Number(row.id), {
          status: CampaignStatusSchema.parse(row.status),
          sentCount: Number(row.sent),
          failedCount: Number(row.failed),
        });
      }
      return written;
    },

    /**
     * Marks the rows of a campaign still `queued` as `skipped` with `reason` (a cancelled
     * campaign sends nothing more, and its counts show nothing left to send). Returns how many.
     */
    async skipQueued(db: Executor, campaignId: number, reason: string): Promise<number> {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`UPDATE deliveries SET status = 'skipped', smtp_response = ${reason}, updated_at = now()
            WHERE campaign_id = ${campaignId} AND status = 'queued'
            RETURNING id`,
      );
      return rows.length;
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

    /**
     * The most frequent failure replies of a campaign, for `status` and the campaign page. A
     * reply often quotes its recipient (`550 5.1.1 <ana@example.org>: unknown user`): addresses
     * are replaced by `<…>` before grouping, so such replies count as one and no address is shown.
     */
    async topFailures(
      db: Executor,
      campaignId: number,
      limit = 5,
    ): Promise<Array<{ reply: string; count: number }>> {
      const rows = await queryRows<{ reply: string | null; n: number | string }>(
        db,
        sql`SELECT regexp_replace(smtp_response, '<?[^[:space:]<>()"]+@[^[:space:]<>()"]+>?',
                                  '<…>', 'g') AS reply,
                   count(*)::int AS n
            FROM deliveries
            WHERE campaign_id = ${campaignId} AND status = 'failed'
            GROUP BY 1 ORDER BY n DESC, reply LIMIT ${limit}`,
      );
      return rows.map((row) => ({ reply: row.reply ?? '(no reply)', count: Number(row.n) }));
    },
  } satisfies DeliveryStore & BatchStore;
}

/** See {@link createDeliveryRepository}. */
export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
