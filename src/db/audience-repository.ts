import { type SQL, sql } from 'drizzle-orm';

import {
  type AudienceStore,
  type FanOutPage,
  type Segment,
  SegmentSchema,
} from '../campaigns/index.ts';
import { type Executor, queryRows } from './client.ts';

function inList(values: readonly string[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

/** SQL condition on subscriber `s` for a segment; `TRUE` when the segment is empty. */
function segmentCondition(segment: Segment): SQL {
  const parts: SQL[] = [];
  if (segment.locale) parts.push(sql`s.locale IN (${inList(segment.locale)})`);
  if (segment.country) parts.push(sql`s.country IN (${inList(segment.country)})`);
  if (segment.researchField) {
    parts.push(
      sql`lower(s.research_field) IN (${inList(segment.researchField.map((v) => v.toLowerCase()))})`,
    );
  }
  if (segment.careerStage) parts.push(sql`s.career_stage IN (${inList(segment.careerStage)})`);
  for (const [key, values] of Object.entries(segment.attributes ?? {})) {
    parts.push(sql`(s.attributes ->> ${key}) IN (${inList(values)})`);
  }
  return parts.length === 0 ? sql`TRUE` : sql.join(parts, sql` AND `);
}

/**
 * The audience of a campaign: active subscriptions of its newsletter, the segment applied,
 * suppressed addresses excluded (by the email hash). Walked by subscriber-id keyset. The
 * campaigns' `AudienceStore`.
 */
export function createAudienceRepository() {
  return {
    /**
     * Inserts the delivery rows of the next page of the audience after `afterSubscriberId`
     * (set-based `INSERT … SELECT`), numbering batches from `firstBatchNo`, `batchSize` rows
     * each. Run it in the transaction that advances the checkpoint.
     */
    async insertNextPage(
      tx: Executor,
      input: {
        campaignId: number;
        newsletterId: string;
        segment: Segment;
        afterSubscriberId: number;
        firstBatchNo: number;
        batchSize: number;
        pageSize: number;
      },
    ): Promise<FanOutPage> {
      const [row] = await queryRows<{
        row_count: number | string;
        inserted_count: number | string;
        last_subscriber_id: number | string | null;
        batch_nos: Array<number | string> | null;
      }>(
        tx,
        sql`
        WITH page AS (
          SELECT sub.subscriber_id
          FROM subscriptions sub
          JOIN subscribers s ON s.id = sub.subscriber_id
          WHERE sub.newsletter_id = ${input.newsletterId}
            AND sub.status = 'active'
            AND sub.subscriber_id > ${input.afterSubscriberId}
            AND ${segmentCondition(input.segment)}
            AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email_hash = s.email_hash)
          ORDER BY sub.subscriber_id
          LIMIT ${input.pageSize}
        ),
        numbered AS (
          SELECT subscriber_id, row_number() OVER (ORDER BY subscriber_id) - 1 AS position
          FROM page
        ),
        inserted AS (
          INSERT INTO deliveries (campaign_id, subscriber_id, batch_no)
          SELECT ${input.campaignId}::bigint, subscriber_id,
                 ${input.firstBatchNo}::int + (position / ${input.batchSize}::int)::int
          FROM numbered
          ON CONFLICT (campaign_id, subscriber_id) DO NOTHING
          RETURNING batch_no
        )
        SELECT (SELECT count(*) FROM page)::int AS row_count,
               (SELECT count(*) FROM inserted)::int AS inserted_count,
               (SELECT max(subscriber_id) FROM page)::bigint AS last_subscriber_id,
               (SELECT array_agg(DISTINCT batch_no) FROM inserted) AS batch_nos`,
      );
      return {
        rowCount: Number(row?.row_count ?? 0),
        insertedCount: Number(row?.inserted_count ?? 0),
        lastSubscriberId: Number(row?.last_subscriber_id ?? input.afterSubscriberId),
        batchNos: (row?.batch_nos ?? []).map(Number).sort((a, b) => a - b),
      };
    },

    /** Size of the audience right now (for `campaign create` and `status`). */
    async count(db: Executor, input: { newsletterId: string; segment: Segment }): Promise<number> {
      const [row] = await queryRows<{ n: number | string }>(
        db,
        sql`SELECT count(*)::int AS n
            FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
            WHERE sub.newsletter_id = ${input.newsletterId} AND sub.status = 'active'
              AND ${segmentCondition(input.segment)}
              AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email_hash = s.email_hash)`,
      );
      return Number(row?.n ?? 0);
    },

    /**
     * How many people of an audience (newsletter, segment, as {@link count}) the same issue
     * already reached or is about to reach: campaigns of `issueKey` that are scheduled,
     * sending, paused or done. Each counts its delivery rows (queued, sending, sent or
     * uncertain) and, while its fan-out is not over (and it is not done), the rest of its own
     * audience. `excludeCampaignId` leaves one campaign out (the one being checked).
     */
    async countOverlap(
      db: Executor,
      input: {
        issueKey: string;
        newsletterId: string;
        segment: Segment;
        excludeCampaignId?: number;
      },
    ): Promise<{ count: number; campaignIds: number[] }> {
      const others = await queryRows<{
        id: number | string;
        segment: unknown;
        is_fanout_done: boolean;
        status: string;
        newsletter_id: string;
      }>(
        db,
        sql`SELECT id, segment, is_fanout_done, status, newsletter_id FROM campaigns
            WHERE issue_key = ${input.issueKey}
              AND status IN ('scheduled', 'sending', 'paused', 'done')
              AND id <> ${input.excludeCampaignId ?? 0}
            ORDER BY id`,
      );
      if (others.length === 0) return { count: 0, campaignIds: [] };
      const reached = others.map((other) => {
        const rows = sql`EXISTS (SELECT 1 FROM deliveries d
          WHERE d.campaign_id = ${Number(other.id)} AND d.subscriber_id = s.id
            AND d.status IN ('queued', 'sending', 'sent', 'uncertain'))`;
        if (other.is_fanout_done || other.status === 'done') return rows;
        const segment = SegmentSchema.parse(
          typeof other.segment === 'string' ? JSON.parse(other.segment) : other.segment,
        );
        return sql`(${rows} OR (EXISTS (SELECT 1 FROM subscriptions o
          WHERE o.subscriber_id = s.id AND o.newsletter_id = ${other.newsletter_id}
            AND o.status = 'active') AND ${segmentCondition(segment)}))`;
      });
      const [row] = await queryRows<{ n: number | string }>(
        db,
        sql`SELECT count(*)::int AS n
            FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
            WHERE sub.newsletter_id = ${input.newsletterId} AND sub.status = 'active'
              AND ${segmentCondition(input.segment)}
              AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email_hash = s.email_hash)
              AND (${sql.join(reached, sql` OR `)})`,
      );
      return { count: Number(row?.n ?? 0), campaignIds: others.map((other) => Number(other.id)) };
    },
  } satisfies AudienceStore;
}

/** See {@link createAudienceRepository}. */
export type AudienceRepository = ReturnType<typeof createAudienceRepository>;
