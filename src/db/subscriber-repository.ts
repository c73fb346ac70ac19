import { sql } from 'drizzle-orm';

import type { Locale } from '../lib/index.ts';
import type {
  SubscriberListRow,
  SubscriberRecord,
  SubscriberValues,
} from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';

/** The profile columns of a raw `subscribers` row, as either driver returns them. */
export interface RawSubscriberValues {
  name: string | null;
  locale: Locale;
  country: string | null;
  research_field: string | null;
  career_stage: string | null;
  attributes: Record<string, unknown> | string;
}

interface RawSubscriber extends RawSubscriberValues {
  id: string | number;
  email: string;
  email_hash: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const columns = sql.raw(
  's.id, s.email, s.email_hash, s.name, s.locale, s.country, s.research_field, s.career_stage, s.attributes, s.created_at, s.updated_at',
);

/** Maps a raw row: `pg` returns bigint as text, both drivers may return jsonb as text. */
export function toSubscriberRecord(row: RawSubscriber): SubscriberRecord {
  return {
    id: Number(row.id),
    email: row.email,
    emailHash: row.email_hash,
    ...toSubscriberValues(row),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Maps the profile columns of a raw row; both drivers may return jsonb as text. */
export function toSubscriberValues(row: RawSubscriberValues): SubscriberValues {
  return {
    name: row.name,
    locale: row.locale,
    country: row.country,
    researchField: row.research_field,
    careerStage: row.career_stage,
    attributes:
      typeof row.attributes === 'string'
        ? (JSON.parse(row.attributes) as Record<string, unknown>)
        : row.attributes,
  };
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}

/** Data access of the `subscribers` table. Pass a transaction to run inside it. */
export function createSubscriberRepository(db: Executor) {
  return {
    async findById(id: number): Promise<SubscriberRecord | null> {
      const rows = await queryRows<RawSubscriber>(
        db,
        sql`SELECT ${columns} FROM subscribers s WHERE s.id = ${id}`,
      );
      return rows[0] ? toSubscriberRecord(rows[0]) : null;
    },

    /** Finds by address, case-insensitively (through the hash of the lower-cased address). */
    async findByEmailHash(emailHash: string): Promise<SubscriberRecord | null> {
      const rows = await queryRows<RawSubscriber>(
        db,
        sql`SELECT ${columns} FROM subscribers s WHERE s.email_hash = ${emailHash}`,
      );
      return rows[0] ? toSubscriberRecord(rows[0]) : null;
    },

    /** Inserts a subscriber; returns null when the address exists already. */
    async insert(
      email: string,
      emailHash: string,
      values: SubscriberValues,
      now: Date,
    ): Promise<SubscriberRecord | null> {
      const rows = await queryRows<RawSubscriber>(
        db,
        sql`INSERT INTO subscribers AS s (email, email_hash, name, locale, country, research_field,
              career_stage, attributes, created_at, updated_at)
            VALUES (${email}, ${emailHash}, ${values.name}, ${values.locale}, ${values.country},
              ${values.researchField}, ${values.careerStage}, ${JSON.stringify(values.attributes)}::jsonb,
              ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
            ON CONFLICT DO NOTHING
            RETURNING ${columns}`,
      );
      return rows[0] ? toSubscriberRecord(rows[0]) : null;
    },

    async update(id: number, values: SubscriberValues, now: Date): Promise<SubscriberRecord> {
      const rows = await queryRows<RawSubscriber>(
        db,
        sql`UPDATE subscribers AS s SET name = ${values.name}, locale = ${values.locale},
              country = ${values.country}, research_field = ${values.researchField},
              career_stage = ${values.careerStage},
              attributes = ${JSON.stringify(values.attributes)}::jsonb,
              updated_at = ${now.toISOString()}::timestamptz
            WHERE s.id = ${id} RETURNING ${columns}`,
      );
      if (!rows[0]) throw new Error(`subscriber ${id} vanished during an update`);
      return toSubscriberRecord(rows[0]);
    },

    /** Deletes the row; subscriptions go with it, deliveries and consent events are detached. */
    async delete(id: number): Promise<void> {
      await db.execute(sql`DELETE FROM subscribers WHERE id = ${id}`);
    },

    /**
     * One page of subscribers joined with their subscriptions, in (id, newsletter) order after
     * the `after` cursor: memory stays flat however large the list.
     */
    async listPage(filter: {
      newsletterId?: string | undefined;
      status?: string | undefined;
      after?: { id: number; newsletterId: string } | undefined;
      limit: number;
    }): Promise<SubscriberListRow[]> {
      const joinCondition = filter.newsletterId
        ? sql`sub.subscriber_id = s.id AND sub.newsletter_id = ${filter.newsletterId}`
        : sql`sub.subscriber_id = s.id`;
      const mustHaveSubscription = filter.newsletterId !== undefined || filter.status !== undefined;
      const conditions = [
        mustHaveSubscription ? sql`sub.subscriber_id IS NOT NULL` : sql`true`,
        filter.status ? sql`sub.status = ${filter.status}` : sql`true`,
        filter.after
          ? sql`(s.id, coalesce(sub.newsletter_id, '')) > (${filter.after.id}, ${filter.after.newsletterId})`
          : sql`true`,
      ];
      const rows = await queryRows<
        RawSubscriber & {
          newsletter_id: string | null;
          status: string | null;
          subscribed_at: Date | string | null;
          confirmed_at: Date | string | null;
          unsubscribed_at: Date | string | null;
        }
      >(
        db,
        sql`SELECT ${columns}, sub.newsletter_id, sub.status, sub.created_at AS subscribed_at,
              sub.confirmed_at, sub.unsubscribed_at
            FROM subscribers s LEFT JOIN subscriptions sub ON ${joinCondition}
            WHERE ${sql.join(conditions, sql` AND `)}
            ORDER BY s.id, coalesce(sub.newsletter_id, '')
            LIMIT ${filter.limit}`,
      );
      return rows.map((row) => ({
        ...toSubscriberRecord(row),
        newsletterId: row.newsletter_id,
        status: row.status,
        subscribedAt: toDate(row.subscribed_at),
        confirmedAt: toDate(row.confirmed_at),
        unsubscribedAt: toDate(row.unsubscribed_at),
      }));
    },

    /**
     * Subscribers whose address or name contains `text` (case-insensitive; empty: everyone),
     * by id, `limit` rows from `offset`: the workspace's search.
     */
    async search(filter: {
      text: string;
      limit: number;
      offset: number;
    }): Promise<SubscriberRecord[]> {
      const text = filter.text.trim();
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const condition =
        text === ''
          ? sql`true`
          : sql`(lower(s.email) LIKE lower(${pattern}) OR lower(coalesce(s.name, '')) LIKE lower(${pattern}))`;
      const rows = await queryRows<RawSubscriber>(
        db,
        sql`SELECT ${columns} FROM subscribers s WHERE ${condition}
            ORDER BY s.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
      );
      return rows.map(toSubscriberRecord);
    },

    /**
     * Erasure: clears what delivery rows of a subscriber may hold about the address (the SMTP
     * reply often quotes it) before the row is deleted and the foreign key detaches them.
     * Returns the number of delivery rows.
     */
    async anonymiseDeliveries(subscriberId: number): Promise<number> {
      const rows = await queryRows<{ id: string | number }>(
        db,
        sql`UPDATE deliveries SET smtp_response = NULL WHERE subscriber_id = ${subscriberId}
            RETURNING id`,
      );
      return rows.length;
    },

    /** Number of subscribers. */
    async count(): Promise<number> {
      const rows = await queryRows<{ n: number | string }>(
        db,
        sql`SELECT count(*) AS n FROM subscribers`,
      );
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Delivery rows of a subscriber, read-only, for the right of access (art. 15). The table
     * belongs to delivery; this is the one read the subscriber data export needs.
     */
    async listDeliveries(subscriberId: number): Promise<Array<Record<string, unknown>>> {
      return queryRows<Record<string, unknown>>(
        db,
        sql`SELECT d.campaign_id, c.newsletter_id, c.issue_key, d.status, d.attempts,
              d.message_id, d.sent_at, d.updated_at
            FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
            WHERE d.subscriber_id = ${subscriberId} ORDER BY d.id`,
      );
    },
  };
}

/** Data access of the `subscribers` table. */
export type SubscriberRepository = ReturnType<typeof createSubscriberRepository>;

export type { SubscriberListRow, SubscriberRecord, SubscriberValues };
