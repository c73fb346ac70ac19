import { sql } from 'drizzle-orm';

import type {
  ImportConflictMode,
  ImportExistingRow,
  ImportKnownAddresses,
  ImportSubscriberRow,
} from '../subscribers/index.ts';
import { toTextArrayLiteral } from './array-literals.ts';
import { type Executor, queryRows } from './client.ts';
import { type RawSubscriberValues, toSubscriberValues } from './subscriber-repository.ts';
import type { SubscriptionStatusValue } from './subscription-repository.ts';
import type { SuppressionReasonValue } from './suppression-repository.ts';

function toJson(rows: ImportSubscriberRow[], ids?: number[]): string {
  return JSON.stringify(
    rows.map((row, index) => ({
      id: ids?.[index],
      email: row.email,
      email_hash: row.emailHash,
      name: row.name,
      locale: row.locale,
      country: row.country,
      research_field: row.researchField,
      career_stage: row.careerStage,
      attributes: row.attributes,
    })),
  );
}

/**
 * The rows as parameters of `unnest`: one array literal per text column, and the attributes as
 * one JSON array (JSON quoted again inside an array literal cost more on both sides).
 */
function toColumns(rows: ImportSubscriberRow[]) {
  const column = (pick: (row: ImportSubscriberRow) => string | null) =>
    sql`${toTextArrayLiteral(rows.map(pick))}::text[]`;
  return {
    texts: sql.join(
      [
        column((r) => r.email),
        column((r) => r.emailHash),
        column((r) => r.name),
        column((r) => r.locale),
        column((r) => r.country),
        column((r) => r.researchField),
        column((r) => r.careerStage),
      ],
      sql`, `,
    ),
    attributes: JSON.stringify(rows.map((r) => r.attributes)),
  };
}

const recordColumns = sql.raw(
  't(id bigint, email text, email_hash text, name text, locale text, country text, research_field text, career_stage text, attributes jsonb)',
);

/**
 * Set-based statements of the CSV import: each handles a whole batch (about 2,000 rows) in one
 * round trip, with the rows passed as array literals (inserts, lookups) or one JSON parameter
 * (updates), the same on both drivers.
 */
export function createSubscriberImportRepository(db: Executor) {
  return {
    /**
     * The suppressions and the stored subscribers (with their subscription to `newsletterId`)
     * among `emailHashes`, in one statement. Each hash is looked up through the unique index,
     * whatever the planner would make of the table's size: with `= ANY(…)` it scanned the whole
     * table for each batch, which cost more than the batch's inserts once the table held some
     * 50,000 subscribers.
     */
    async findKnown(emailHashes: string[], newsletterId: string): Promise<ImportKnownAddresses> {
      const known: ImportKnownAddresses = { existing: new Map(), suppressed: new Map() };
      if (emailHashes.length === 0) return known;
      const rows = await queryRows<
        Partial<RawSubscriberValues> & {
          email_hash: string;
          reason: SuppressionReasonValue | null;
          id: string | number | null;
          status: SubscriptionStatusValue | null;
        }
      >(
        db,
        sql`SELECT h.email_hash, x.reason, s.id, s.name, s.locale, s.country, s.research_field,
              s.career_stage, s.attributes,
              (SELECT sub.status FROM subscriptions sub
                WHERE sub.subscriber_id = s.id AND sub.newsletter_id = ${newsletterId}) AS status
            FROM unnest(${toTextArrayLiteral(emailHashes)}::text[]) AS h(email_hash)
            LEFT JOIN LATERAL (SELECT reason FROM suppressions
              WHERE suppressions.email_hash = h.email_hash LIMIT 1) x ON true
            LEFT JOIN LATERAL (SELECT * FROM subscribers
              WHERE subscribers.email_hash = h.email_hash LIMIT 1) s ON true
            WHERE x.reason IS NOT NULL OR s.id IS NOT NULL`,
      );
      for (const row of rows) {
        if (row.reason !== null) known.suppressed.set(row.email_hash, { reason: row.reason });
        if (row.id === null) continue;
        known.existing.set(row.email_hash, {
          id: Number(row.id),
          emailHash: row.email_hash,
          ...toSubscriberValues(row as RawSubscriberValues),
          status: row.status,
        });
      }
      return known;
    },

    /** The suppressed addresses among `emailHashes`, each looked up through the index. */
    async findSuppressed(
      emailHashes: string[],
    ): Promise<Map<string, { reason: SuppressionReasonValue }>> {
      if (emailHashes.length === 0) return new Map();
      const rows = await queryRows<{ email_hash: string; reason: SuppressionReasonValue }>(
        db,
        sql`SELECT h.email_hash, x.reason
            FROM unnest(${toTextArrayLiteral(emailHashes)}::text[]) AS h(email_hash)
            JOIN LATERAL (SELECT reason FROM suppressions
              WHERE suppressions.email_hash = h.email_hash LIMIT 1) x ON true`,
      );
      return new Map(rows.map((row) => [row.email_hash, { reason: row.reason }]));
    },

    /**
     * Inserts new subscribers, their subscription to `newsletterId` in `status`, and an
     * `import` consent event each, in one statement. Returns the email hashes left out because
     * someone else inserted them meanwhile: none with `onConflict: 'fail'` (it throws instead).
     */
    async insertSubscribed(
      rows: ImportSubscriberRow[],
      subscription: { newsletterId: string; status: 'pending' | 'active'; source: string },
      now: Date,
      onConflict: ImportConflictMode,
    ): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const at = sql`${now.toISOString()}::timestamptz`;
      const columns = toColumns(rows);
      const skipped = await queryRows<{ email_hash: string }>(
        db,
        sql`WITH attributes AS (
              SELECT ${columns.attributes}::jsonb AS list
            ), input AS (
              SELECT t.*, a.list -> (t.n - 1)::int AS attributes
              FROM unnest(${columns.texts}) WITH ORDINALITY AS t(email, email_hash, name,
                locale, country, research_field, career_stage, n), attributes a
            ), inserted AS (
              INSERT INTO subscribers (email, email_hash, name, locale, country, research_field,
                career_stage, attributes, created_at, updated_at)
              SELECT email, email_hash, name, locale, country, research_field, career_stage,
                attributes, ${at}, ${at}
              FROM input
              ${onConflict === 'skip' ? sql`ON CONFLICT DO NOTHING RETURNING id, email_hash` : sql`RETURNING id`}
            ), subscribed AS (
              INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at,
                updated_at, confirmed_at)
              SELECT id, ${subscription.newsletterId}, ${subscription.status}, ${at}, ${at},
                ${subscription.status === 'active' ? now.toISOString() : null}::timestamptz
              FROM inserted
            ), recorded AS (
              INSERT INTO consent_events (subscriber_id, newsletter_id, kind, source, details,
                occurred_at)
              SELECT ins.id, ${subscription.newsletterId}, 'import', ${subscription.source},
                ${JSON.stringify({ status: subscription.status })}::jsonb, ${at}
              FROM inserted ins
            )
            ${
              onConflict === 'skip'
                ? sql`SELECT email_hash FROM input
                    WHERE email_hash NOT IN (SELECT email_hash FROM inserted)`
                : sql`SELECT NULL::text AS email_hash WHERE false`
            }`,
      );
      return new Set(skipped.map((row) => row.email_hash));
    },

    /**
     * Lets the current transaction commit without waiting for its WAL flush. A crash may lose
     * the last batches committed in the final moments, which re-running the import (idempotent)
     * restores; the database stays consistent either way.
     */
    async relaxCommitDurability(): Promise<void> {
      await db.execute(sql`SET LOCAL synchronous_commit = off`);
    },

    /** Writes new profile values of existing subscribers, `ids[i]` for `rows[i]`. */
    async updateSubscribers(rows: ImportSubscriberRow[], ids: number[], now: Date): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(
        sql`UPDATE subscribers AS s SET name = t.name, locale = t.locale, country = t.country,
              research_field = t.research_field, career_stage = t.career_stage,
              attributes = t.attributes, updated_at = ${now.toISOString()}::timestamptz
            FROM jsonb_to_recordset(${toJson(rows, ids)}::jsonb) AS ${recordColumns}
            WHERE s.id = t.id`,
      );
    },

    /**
     * Creates or moves subscriptions to `newsletterId`. An unsubscribed subscription is never
     * touched here: only the subscriber's own confirmed opt-in lifts an unsubscribe.
     */
    async upsertSubscriptions(
      newsletterId: string,
      rows: Array<{ subscriberId: number; status: 'pending' | 'active' }>,
      now: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      const at = now.toISOString();
      const json = JSON.stringify(rows.map((r) => ({ id: r.subscriberId, status: r.status })));
      await db.execute(
        sql`INSERT INTO subscriptions AS sub (subscriber_id, newsletter_id, status, created_at,
              updated_at, confirmed_at)
            SELECT t.id, ${newsletterId}, t.status, ${at}::timestamptz, ${at}::timestamptz,
              CASE WHEN t.status = 'active' THEN ${at}::timestamptz END
            FROM jsonb_to_recordset(${json}::jsonb) AS t(id bigint, status text)
            ON CONFLICT (subscriber_id, newsletter_id) DO UPDATE SET status = EXCLUDED.status,
              updated_at = EXCLUDED.updated_at,
              confirmed_at = coalesce(EXCLUDED.confirmed_at, sub.confirmed_at)
            WHERE sub.status <> 'unsubscribed'`,
      );
    },
  };
}

/** Set-based statements of the CSV import. */
export type SubscriberImportRepository = ReturnType<typeof createSubscriberImportRepository>;

/**
 * Whether `error` (or what it wraps) is a unique violation (SQLSTATE 23505), as both drivers
 * report it: what an insert with `onConflict: 'fail'` raises when it lost a race.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    if ((cause as { code?: unknown }).code === '23505') return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

export type { ImportConflictMode, ImportExistingRow, ImportKnownAddresses, ImportSubscriberRow };
