import { sql } from 'drizzle-orm';

import { type Executor, queryRows } from './client.ts';
import {
  type RawSubscriberValues,
  type SubscriberValues,
  toSubscriberValues,
} from './subscriber-repository.ts';
import type { SubscriptionStatusValue } from './subscription-repository.ts';

/** What an import batch needs to know of an address already stored. */
export interface ImportExistingRow extends SubscriberValues {
  id: number;
  emailHash: string;
  /** Status of the subscription to the imported newsletter, null when there is none. */
  status: SubscriptionStatusValue | null;
}

/** A subscriber row written by an import. */
export interface ImportSubscriberRow extends SubscriberValues {
  email: string;
  emailHash: string;
}

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
 * A PostgreSQL array literal of texts, passed as one text parameter and cast in SQL: the same
 * on both drivers, and much cheaper for the server to read than JSON.
 */
export function toTextArrayLiteral(values: ReadonlyArray<string | null>): string {
  const items = values.map((value) =>
    value === null ? 'NULL' : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`,
  );
  return `{${items.join(',')}}`;
}

/** The columns of subscriber rows as array literals, for `unnest`. */
function toColumns(rows: ImportSubscriberRow[]) {
  const column = (pick: (row: ImportSubscriberRow) => string | null) =>
    sql`${toTextArrayLiteral(rows.map(pick))}::text[]`;
  return sql.join(
    [
      column((r) => r.email),
      column((r) => r.emailHash),
      column((r) => r.name),
      column((r) => r.locale),
      column((r) => r.country),
      column((r) => r.researchField),
      column((r) => r.careerStage),
      column((r) => JSON.stringify(r.attributes)),
    ],
    sql`, `,
  );
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
    /** The stored subscribers among `emailHashes`, with their subscription to `newsletterId`. */
    async findExisting(
      emailHashes: string[],
      newsletterId: string,
    ): Promise<Map<string, ImportExistingRow>> {
      if (emailHashes.length === 0) return new Map();
      const rows = await queryRows<
        RawSubscriberValues & {
          id: string | number;
          email_hash: string;
          status: SubscriptionStatusValue | null;
        }
      >(
        db,
        sql`SELECT s.id, s.email_hash, s.name, s.locale, s.country, s.research_field,
              s.career_stage, s.attributes, sub.status
            FROM subscribers s
            LEFT JOIN subscriptions sub
              ON sub.subscriber_id = s.id AND sub.newsletter_id = ${newsletterId}
            WHERE s.email_hash = ANY(${toTextArrayLiteral(emailHashes)}::text[])`,
      );
      return new Map(
        rows.map((row) => [
          row.email_hash,
          {
            id: Number(row.id),
            emailHash: row.email_hash,
            ...toSubscriberValues(row),
            status: row.status,
          },
        ]),
      );
    },

    /**
     * Inserts new subscribers, their subscription to `newsletterId` in `status`, and an
     * `import` consent event each, in one statement. An address inserted meanwhile by someone
     * else is skipped. Returns the email hashes inserted.
     */
    async insertSubscribed(
      rows: ImportSubscriberRow[],
      subscription: { newsletterId: string; status: 'pending' | 'active'; source: string },
      now: Date,
    ): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const at = sql`${now.toISOString()}::timestamptz`;
      const inserted = await queryRows<{ email_hash: string }>(
        db,
        sql`WITH input AS (
              SELECT * FROM unnest(${toColumns(rows)}) AS t(email, email_hash, name, locale,
                country, research_field, career_stage, attributes)
            ), inserted AS (
              INSERT INTO subscribers (email, email_hash, name, locale, country, research_field,
                career_stage, attributes, created_at, updated_at)
              SELECT email, email_hash, name, locale, country, research_field, career_stage,
                attributes::jsonb, ${at}, ${at}
              FROM input
              ON CONFLICT DO NOTHING
              RETURNING id, email_hash
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
                jsonb_build_object('status', ${subscription.status}::text), ${at}
              FROM inserted ins
            )
            SELECT email_hash FROM inserted`,
      );
      return new Set(inserted.map((row) => row.email_hash));
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
