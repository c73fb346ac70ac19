import { sql } from 'drizzle-orm';

import type {
  ConsentEventKind,
  ConsentEventRecord,
  NewConsentEvent,
} from '../subscribers/index.ts';
import { type Executor, queryRows } from './client.ts';

interface RawEvent {
  id: string | number;
  subscriber_id: string | number | null;
  newsletter_id: string | null;
  kind: ConsentEventKind;
  source: string;
  consent_version: string | null;
  ip: string | null;
  details: Record<string, unknown> | string;
  occurred_at: Date | string;
}

const recordColumns =
  't(subscriber_id bigint, newsletter_id text, kind text, source text, consent_version text, ip text, details jsonb, occurred_at timestamptz)';

/** Data access of the append-only `consent_events` table. */
export function createConsentRepository(db: Executor) {
  return {
    /** Appends events, many in one statement. */
    async append(events: NewConsentEvent[]): Promise<void> {
      if (events.length === 0) return;
      const json = JSON.stringify(
        events.map((event) => ({
          subscriber_id: event.subscriberId,
          newsletter_id: event.newsletterId,
          kind: event.kind,
          source: event.source,
          consent_version: event.consentVersion,
          ip: event.ip,
          details: event.details,
          occurred_at: event.occurredAt.toISOString(),
        })),
      );
      await db.execute(
        sql`INSERT INTO consent_events (subscriber_id, newsletter_id, kind, source,
              consent_version, ip, details, occurred_at)
            SELECT subscriber_id, newsletter_id, kind, source, consent_version, ip, details,
              occurred_at
            FROM jsonb_to_recordset(${json}::jsonb) AS ${sql.raw(recordColumns)}`,
      );
    },

    /** Every event of a subscriber, oldest first. */
    async listForSubscriber(subscriberId: number): Promise<ConsentEventRecord[]> {
      const rows = await queryRows<RawEvent>(
        db,
        sql`SELECT * FROM consent_events WHERE subscriber_id = ${subscriberId} ORDER BY id`,
      );
      return rows.map((row) => ({
        id: Number(row.id),
        subscriberId: row.subscriber_id === null ? null : Number(row.subscriber_id),
        newsletterId: row.newsletter_id,
        kind: row.kind,
        source: row.source,
        consentVersion: row.consent_version,
        ip: row.ip,
        details:
          typeof row.details === 'string'
            ? (JSON.parse(row.details) as Record<string, unknown>)
            : row.details,
        occurredAt: new Date(row.occurred_at),
      }));
    },

    /**
     * Erasure: detaches the subscriber's events and clears their IP addresses and details, so
     * the history of consent stays (counts, dates, text versions) without personal data.
     * Returns the number of events detached.
     */
    async detach(subscriberId: number): Promise<number> {
      const rows = await queryRows<{ id: string | number }>(
        db,
        sql`UPDATE consent_events SET subscriber_id = NULL, ip = NULL, details = '{}'::jsonb
            WHERE subscriber_id = ${subscriberId} RETURNING id`,
      );
      return rows.length;
    },
  };
}

/** Data access of the `consent_events` table. */
export type ConsentRepository = ReturnType<typeof createConsentRepository>;

export type { ConsentEventKind, ConsentEventRecord, NewConsentEvent };
