import { sql } from 'drizzle-orm';

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

/** Data access of `bounce_events` and the bounce fields of `deliveries`. */
export function createBounceRepository(db: Executor) {
  return {
    async isProcessed(fingerprint: string): Promise<boolean> {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`SELECT id FROM bounce_events WHERE fingerprint = ${fingerprint}`,
      );
      return rows.length > 0;
    },

    async findDelivery(deliveryId: number): Promise<BounceDeliveryRow | undefined> {
      const rows = await queryRows<RawDelivery>(
        db,
        sql`${deliverySelect} WHERE d.id = ${deliveryId}`,
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },

    async findDeliveryByMessageKey(
      messageKey: string,
      subscriberId: number,
    ): Promise<BounceDeliveryRow | undefined> {
      const rows = await queryRows<RawDelivery>(
        db,
        sql`${deliverySelect} WHERE c.message_key = ${messageKey}
              AND d.subscriber_id = ${subscriberId}`,
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },

    /** Inserts events in one statement; a fingerprint already recorded is skipped. */
    async recordEvents(events: BounceEventRow[]): Promise<void> {
      if (events.length === 0) return;
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
      await db.execute(
        sql`INSERT INTO bounce_events (fingerprint, delivery_id, campaign_id, email_hash,
              recipient_domain, kind, class, status_code, diagnostic, source, matched_by, raw_size,
              raw_excerpt, received_at)
            SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS ${sql.raw(eventColumns)}
            ON CONFLICT (fingerprint) DO NOTHING`,
      );
    },

    async markDelivery(
      deliveryId: number,
      mark: {
        type: 'bounce' | 'complaint';
        class: string | null;
        status: string | null;
        diagnostic: string | null;
        at: Date;
      },
    ): Promise<void> {
      await db.execute(
        sql`UPDATE deliveries SET bounce_type = ${mark.type}, bounce_class = ${mark.class},
              bounce_status = ${mark.status}, bounce_diagnostic = ${mark.diagnostic},
              bounced_at = ${mark.at.toISOString()}::timestamptz
            WHERE id = ${deliveryId}
              -- a complaint is never replaced by a later bounce of the same message
              AND (bounce_type IS DISTINCT FROM 'complaint' OR ${mark.type} = 'complaint')`,
      );
    },

    async countSoftBounces(emailHash: string, since: Date, exceptDeliveryId: number) {
      const rows = await queryRows<{ n: string | number }>(
        db,
        sql`SELECT count(DISTINCT coalesce(delivery_id, -id))::int AS n FROM bounce_events
            WHERE email_hash = ${emailHash} AND kind = 'bounce' AND class = 'soft'
              AND received_at >= ${since.toISOString()}::timestamptz
              AND delivery_id IS DISTINCT FROM ${exceptDeliveryId}`,
      );
      return Number(rows[0]?.n ?? 0);
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
