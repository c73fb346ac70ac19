import { sql } from 'drizzle-orm';

import { toBigintArrayLiteral, toTextArrayLiteral } from './array-literals.ts';
import { type Executor, queryRows } from './client.ts';

// Structural copies of the bounces domain's port types (src/bounces/ports.ts): db/ does not
// import domain folders, and TypeScript checks the two agree where the root wires them.

/** A row to insert into `bounce_events`. */
export interface BounceEventRow {
  fingerprint: string;
  deliveryId: number | null;
  campaignId: number | null;
  emailHash: string | null;
  recipientDomain: string | null;
  kind: 'bounce' | 'complaint' | 'unsubscribe' | 'auto-reply' | 'unclassified';
  class: 'hard' | 'soft' | 'policy' | 'unknown' | null;
  statusCode: string | null;
  diagnostic: string | null;
  source: string;
  matchedBy: string;
  rawSize: number;
  rawExcerpt: string | null;
  receivedAt: Date;
}

/** A delivery and its recipient. */
export interface BounceDeliveryRow {
  deliveryId: number;
  campaignId: number;
  newsletterId: string;
  subscriberId: number | null;
  email: string | null;
}

/** Bounces and complaints of one campaign, for `campaign status`. */
export interface CampaignBounceCounts {
  hard: number;
  soft: number;
  policy: number;
  unknown: number;
  complaints: number;
  /** Delivery rows with a bounce recorded (any class). */
  bouncedDeliveries: number;
  /** Policy blocks (5.7.x) per receiving domain, most first. */
  policyByDomain: Array<{ domain: string; count: number }>;
}

interface RawDelivery {
  delivery_id: string | number;
  campaign_id: string | number;
  newsletter_id: string;
  subscriber_id: string | number | null;
  email: string | null;
}

const toDelivery = (row: RawDelivery): BounceDeliveryRow => ({
  deliveryId: Number(row.delivery_id),
  campaignId: Number(row.campaign_id),
  newsletterId: row.newsletter_id,
  subscriberId: row.subscriber_id === null ? null : Number(row.subscriber_id),
  email: row.email,
});

const deliverySelect = sql`SELECT d.id AS delivery_id, d.campaign_id, c.newsletter_id,
    d.subscriber_id, s.email
  FROM deliveries d
  JOIN campaigns c ON c.id = d.campaign_id
  LEFT JOIN subscribers s ON s.id = d.subscriber_id`;

const eventColumns =
  't(fingerprint text, delivery_id bigint, campaign_id bigint, email_hash text, recipient_domain text, kind text, class text, status_code text, diagnostic text, source text, matched_by text, raw_size integer, raw_excerpt text, received_at timestamptz)';

/** What the bounce processing records on a delivery row. */
export interface DeliveryBounceMarkRow {
  type: 'bounce' | 'complaint';
  class: string | null;
  status: string | null;
  diagnostic: string | null;
  at: Date;
}

/** The writes of the bounce processing's transaction (`BounceTransaction` of the bounces domain). */
function transactionOf(tx: Executor) {
  return {
    /** Inserts events in one statement; returns the fingerprints inserted (not those known). */
    async recordEvents(events: readonly BounceEventRow[]): Promise<Set<string>> {
      if (events.length === 0) return new Set();
      const json = JSON.stringify(
        events.map((e) => ({
          fingerprint: e.fingerprint,
          delivery_id: e.deliveryId,
          campaign_id: e.campaignId,
          email_hash: e.emailHash,
          recipient_domain: e.recipientDomain,
          kind: e.kind,
          class: e.class,
          status_code: e.statusCode,
          diagnostic: e.diagnostic,
          source: e.source,
          matched_by: e.matchedBy,
          raw_size: e.rawSize,
          raw_excerpt: e.rawExcerpt,
          received_at: e.receivedAt.toISOString(),
        })),
      );
      const rows = await queryRows<{ fingerprint: string }>(
        tx,
        sql`INSERT INTO bounce_events (fingerprint, delivery_id, campaign_id, email_hash,
              recipient_domain, kind, class, status_code, diagnostic, source, matched_by, raw_size,
              raw_excerpt, received_at)
            SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS ${sql.raw(eventColumns)}
            ON CONFLICT (fingerprint) DO NOTHING
            RETURNING fingerprint`,
      );
      return new Set(rows.map((row) => row.fingerprint));
    },

    /** Marks delivery rows in one statement; one mark per delivery. */
    async markDeliveries(
      marks: ReadonlyArray<{ deliveryId: number; mark: DeliveryBounceMarkRow }>,
    ): Promise<void> {
      if (marks.length === 0) return;
      const json = JSON.stringify(
        marks.map(({ deliveryId, mark }) => ({
          id: deliveryId,
          type: mark.type,
          class: mark.class,
          status: mark.status,
          diagnostic: mark.diagnostic,
          at: mark.at.toISOString(),
        })),
      );
      await tx.execute(
        sql`UPDATE deliveries d SET bounce_type = m.type, bounce_class = m.class,
              bounce_status = m.status, bounce_diagnostic = m.diagnostic, bounced_at = m.at
            FROM jsonb_to_recordset(${json}::jsonb)
              AS m(id bigint, type text, class text, status text, diagnostic text, at timestamptz)
            WHERE d.id = m.id
              -- a complaint is never replaced by a later bounce of the same message
              AND (d.bounce_type IS DISTINCT FROM 'complaint' OR m.type = 'complaint')`,
      );
    },

    /** Deliveries soft-bounced for the address since `since` (`-<event id>` when unattributed). */
    async softBouncedDeliveries(emailHash: string, since: Date): Promise<number[]> {
      const rows = await queryRows<{ d: string | number }>(
        tx,
        sql`SELECT DISTINCT coalesce(delivery_id, -id) AS d FROM bounce_events
            WHERE email_hash = ${emailHash} AND kind = 'bounce' AND class = 'soft'
              AND received_at >= ${since.toISOString()}::timestamptz`,
      );
      return rows.map((row) => Number(row.d));
    },
  };
}

/** See {@link createBounceRepository}'s `transaction`. */
export type BounceRepositoryTransaction = ReturnType<typeof transactionOf>;

/** Data access of `bounce_events` and the bounce fields of `deliveries`. */
export function createBounceRepository(db: Executor) {
  return {
    /** The deliveries of these ids that still exist, in one statement. */
    async findDeliveries(deliveryIds: readonly number[]): Promise<BounceDeliveryRow[]> {
      if (deliveryIds.length === 0) return [];
      const rows = await queryRows<RawDelivery>(
        db,
        sql`${deliverySelect}
            WHERE d.id = ANY(${toBigintArrayLiteral([...deliveryIds])}::bigint[])`,
      );
      return rows.map(toDelivery);
    },

    /** The deliveries of campaigns (by message key) to subscribers, in one statement. */
    async findDeliveriesByMessageKey(
      pairs: ReadonlyArray<{ messageKey: string; subscriberId: number }>,
    ): Promise<Array<BounceDeliveryRow & { messageKey: string }>> {
      if (pairs.length === 0) return [];
      const rows = await queryRows<RawDelivery & { message_key: string }>(
        db,
        sql`SELECT d.id AS delivery_id, d.campaign_id, c.newsletter_id, d.subscriber_id, s.email,
              c.message_key
            FROM unnest(${toTextArrayLiteral(pairs.map((p) => p.messageKey))}::text[],
                        ${toBigintArrayLiteral(pairs.map((p) => p.subscriberId))}::bigint[])
              AS p(message_key, subscriber_id)
            JOIN campaigns c ON c.message_key = p.message_key
            JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = p.subscriber_id
            LEFT JOIN subscribers s ON s.id = d.subscriber_id`,
      );
      return rows.map((row) => ({ ...toDelivery(row), messageKey: row.message_key }));
    },

    /**
     * Runs `work` in one transaction; `executor` is that transaction, for the other
     * repositories whose writes belong with it (suppressions, consent events).
     */
    transaction<T>(
      work: (tx: BounceRepositoryTransaction, executor: Executor) => Promise<T>,
    ): Promise<T> {
      return db.transaction((tx) => work(transactionOf(tx), tx));
    },

    /** Bounces by class, complaints, and policy blocks per domain, of one campaign. */
    async countForCampaign(campaignId: number): Promise<CampaignBounceCounts> {
      const byKind = await queryRows<{ kind: string; class: string | null; n: string | number }>(
        db,
        sql`SELECT kind, class, count(DISTINCT delivery_id)::int AS n FROM bounce_events
            WHERE campaign_id = ${campaignId} AND kind IN ('bounce', 'complaint')
            GROUP BY kind, class`,
      );
      const counts: CampaignBounceCounts = {
        hard: 0,
        soft: 0,
        policy: 0,
        unknown: 0,
        complaints: 0,
        bouncedDeliveries: 0,
        policyByDomain: [],
      };
      for (const row of byKind) {
        if (row.kind === 'complaint') counts.complaints += Number(row.n);
        else if (row.class === 'hard' || row.class === 'soft' || row.class === 'policy') {
          counts[row.class] += Number(row.n);
        } else counts.unknown += Number(row.n);
      }
      const bounced = await queryRows<{ n: string | number }>(
        db,
        sql`SELECT count(*)::int AS n FROM deliveries
            WHERE campaign_id = ${campaignId} AND bounce_type = 'bounce'`,
      );
      counts.bouncedDeliveries = Number(bounced[0]?.n ?? 0);
      const domains = await queryRows<{ domain: string; n: string | number }>(
        db,
        sql`SELECT recipient_domain AS domain, count(*)::int AS n FROM bounce_events
            WHERE campaign_id = ${campaignId} AND kind = 'bounce' AND class = 'policy'
              AND recipient_domain IS NOT NULL
            GROUP BY recipient_domain ORDER BY n DESC, recipient_domain LIMIT 10`,
      );
      counts.policyByDomain = domains.map((d) => ({ domain: d.domain, count: Number(d.n) }));
      return counts;
    },
  };
}

/** See {@link createBounceRepository}. */
export type BounceRepository = ReturnType<typeof createBounceRepository>;
