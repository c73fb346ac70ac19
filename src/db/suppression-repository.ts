import { type SQL, sql } from 'drizzle-orm';

import type {
  SuppressionListRow,
  SuppressionReasonValue,
  SuppressionRecord,
} from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';

interface RawSuppression {
  email_hash: string;
  reason: SuppressionReasonValue;
  detail: string | null;
  created_at: Date | string;
}

function toRecord(row: RawSuppression): SuppressionRecord {
  return {
    emailHash: row.email_hash,
    reason: row.reason,
    detail: row.detail,
    createdAt: new Date(row.created_at),
  };
}

/** Data access of the `suppressions` table. Pass a transaction to run inside it. */
export function createSuppressionRepository(db: Executor) {
  return {
    async find(emailHash: string): Promise<SuppressionRecord | null> {
      const rows = await queryRows<RawSuppression>(
        db,
        sql`SELECT * FROM suppressions WHERE email_hash = ${emailHash}`,
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /**
     * Records a suppression. An existing one is replaced by a stronger reason only: erased
     * stays erased; a complaint is not downgraded to a bounce.
     */
    async upsert(
      emailHash: string,
      reason: SuppressionReasonValue,
      detail: string | null,
      now: Date,
    ): Promise<SuppressionRecord> {
      const rows = await queryRows<RawSuppression>(
        db,
        sql`INSERT INTO suppressions AS sp (email_hash, reason, detail, created_at)
            VALUES (${emailHash}, ${reason}, ${detail}, ${now.toISOString()}::timestamptz)
            ON CONFLICT (email_hash) DO UPDATE SET reason = EXCLUDED.reason,
              detail = EXCLUDED.detail, created_at = EXCLUDED.created_at
              WHERE array_position(ARRAY['soft_bounce', 'hard_bounce', 'manual', 'complaint', 'erased'], EXCLUDED.reason)
                  > array_position(ARRAY['soft_bounce', 'hard_bounce', 'manual', 'complaint', 'erased'], sp.reason)
            RETURNING *`,
      );
      return rows[0] ? toRecord(rows[0]) : ((await this.find(emailHash)) as SuppressionRecord);
    },

    /**
     * Records many suppressions, and one consent event for each item whose address is a
     * subscriber's, in one statement (atomic by itself). As with {@link upsert}, a stronger
     * reason replaces a weaker one only; of several items for one address the strongest
     * counts, the first of them when equally strong. Returns the consent events written.
     */
    async upsertMany(
      items: ReadonlyArray<{
        emailHash: string;
        reason: SuppressionReasonValue;
        detail: string | null;
        consentKind: string;
        consentDetails: Record<string, unknown>;
      }>,
      consent: { source: string; consentVersion: string | null; ip: string | null },
      now: Date,
    ): Promise<number> {
      if (items.length === 0) return 0;
      const json = JSON.stringify(
        items.map((item, n) => ({
          n,
          email_hash: item.emailHash,
          reason: item.reason,
          detail: item.detail,
          kind: item.consentKind,
          details: item.consentDetails,
        })),
      );
      const at = sql`${now.toISOString()}::timestamptz`;
      const strength = (column: SQL) =>
        sql`array_position(ARRAY['soft_bounce', 'hard_bounce', 'manual', 'complaint', 'erased'], ${column})`;
      const rows = await queryRows<{ logged: string | number }>(
        db,
        sql`WITH input AS (
              SELECT * FROM jsonb_to_recordset(${json}::jsonb)
                AS t(n integer, email_hash text, reason text, detail text, kind text, details jsonb)
            ), strongest AS (
              SELECT DISTINCT ON (email_hash) email_hash, reason, detail FROM input
              ORDER BY email_hash, ${strength(sql`reason`)} DESC, n
            ), upserted AS (
              INSERT INTO suppressions AS sp (email_hash, reason, detail, created_at)
              SELECT email_hash, reason, detail, ${at} FROM strongest ORDER BY email_hash
              ON CONFLICT (email_hash) DO UPDATE SET reason = EXCLUDED.reason,
                detail = EXCLUDED.detail, created_at = EXCLUDED.created_at
                WHERE ${strength(sql`EXCLUDED.reason`)} > ${strength(sql`sp.reason`)}
              RETURNING 1
            ), logged AS (
              INSERT INTO consent_events (subscriber_id, newsletter_id, kind, source,
                consent_version, ip, details, occurred_at)
              SELECT s.id, NULL, i.kind, ${consent.source}::text, ${consent.consentVersion}::text,
                ${consent.ip}::text, i.details, ${at}
              FROM input i JOIN subscribers s ON s.email_hash = i.email_hash ORDER BY i.n
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM logged) AS logged`,
      );
      return Number(rows[0]?.logged ?? 0);
    },

    /** Lifts a suppression (operator, `--force`). Returns the one lifted, if any. */
    async remove(emailHash: string): Promise<SuppressionRecord | null> {
      const rows = await queryRows<RawSuppression>(
        db,
        sql`DELETE FROM suppressions WHERE email_hash = ${emailHash} RETURNING *`,
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /**
     * Suppressions, newest first, with the address when a subscriber still has it (only the
     * hash is kept otherwise), optionally of one reason.
     */
    async list(options: {
      reason?: SuppressionReasonValue | undefined;
      limit: number;
    }): Promise<Array<SuppressionRecord & { email: string | null }>> {
      const rows = await queryRows<RawSuppression & { email: string | null }>(
        db,
        sql`SELECT x.*, s.email FROM suppressions x
            LEFT JOIN subscribers s ON s.email_hash = x.email_hash
            WHERE ${options.reason ?? null}::text IS NULL OR x.reason = ${options.reason ?? null}
            ORDER BY x.created_at DESC, x.email_hash LIMIT ${options.limit}`,
      );
      return rows.map((row) => ({ ...toRecord(row), email: row.email }));
    },

    /**
     * Suppressions, newest first, `limit` rows from `offset`, each with the address and id of
     * the subscriber whose hash it is, when that row still exists (else null: only the hash).
     */
    async listPage(page: { limit: number; offset: number }): Promise<SuppressionListRow[]> {
      const rows = await queryRows<
        RawSuppression & { subscriber_id: string | number | null; email: string | null }
      >(
        db,
        sql`SELECT sp.*, s.id AS subscriber_id, s.email
            FROM suppressions sp LEFT JOIN subscribers s ON s.email_hash = sp.email_hash
            ORDER BY sp.created_at DESC, sp.email_hash
            LIMIT ${page.limit} OFFSET ${page.offset}`,
      );
      return rows.map((row) => ({
        ...toRecord(row),
        subscriberId: row.subscriber_id === null ? null : Number(row.subscriber_id),
        email: row.email,
      }));
    },

    /** Suppressions counted by reason. */
    async countByReason(): Promise<Record<string, number>> {
      const rows = await queryRows<{ reason: string; n: string | number }>(
        db,
        sql`SELECT reason, count(*) AS n FROM suppressions GROUP BY reason ORDER BY reason`,
      );
      return Object.fromEntries(rows.map((row) => [row.reason, Number(row.n)]));
    },
  };
}

/** Data access of the `suppressions` table. */
export type SuppressionRepository = ReturnType<typeof createSuppressionRepository>;

export type { SuppressionListRow, SuppressionReasonValue, SuppressionRecord };
