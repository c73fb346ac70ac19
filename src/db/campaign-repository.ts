import { randomBytes } from 'node:crypto';

import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';

import {
  type Campaign,
  type CampaignBody,
  CampaignBodySchema,
  CampaignSchema,
  type CampaignStatus,
  type CampaignStore,
  type CampaignTransition,
  type NewCampaign,
} from '../campaigns/index.ts';
import type { Executor } from './client.ts';
import { campaignBodies, campaigns, deliveries } from './schema/campaigns.ts';

function toCampaign(row: typeof campaigns.$inferSelect): Campaign {
  return CampaignSchema.parse(row);
}

/**
 * Campaign rows, their rendered bodies and fan-out checkpoint (the campaigns' `CampaignStore`). Every method takes the database
 * or a transaction as `db`.
 */
export function createCampaignRepository() {
  return {
    /** Inserts a draft campaign with its bodies in one transaction. */
    async create(db: Executor, input: NewCampaign): Promise<Campaign> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(campaigns)
          .values({
            newsletterId: input.newsletterId,
            issueKey: input.issueKey,
            segment: input.segment,
            newsletter: input.newsletter,
            contentHash: input.contentHash,
            messageKey: input.messageKey ?? randomBytes(10).toString('hex'),
          })
          .returning();
        if (!row) throw new Error('insert into campaigns returned no row');
        if (input.bodies.length > 0) {
          await tx
            .insert(campaignBodies)
            .values(input.bodies.map((body) => ({ ...body, campaignId: row.id })));
        }
        return toCampaign(row);
      });
    },

    async findById(db: Executor, id: number): Promise<Campaign | undefined> {
      const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
      return row ? toCampaign(row) : undefined;
    },

    /** Reads the campaign and locks its row until the end of the transaction `tx`. */
    async lockById(tx: Executor, id: number): Promise<Campaign | undefined> {
      const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      return row ? toCampaign(row) : undefined;
    },

    async findBodies(db: Executor, campaignId: number): Promise<CampaignBody[]> {
      const rows = await db
        .select()
        .from(campaignBodies)
        .where(eq(campaignBodies.campaignId, campaignId));
      return rows.map((row) => CampaignBodySchema.parse(row));
    },

    /** The most recent campaigns first, optionally of one newsletter or some statuses only. */
    async list(
      db: Executor,
      options: { limit: number; statuses?: CampaignStatus[]; newsletterId?: string },
    ): Promise<Campaign[]> {
      const rows = await db
        .select()
        .from(campaigns)
        .where(
          and(
            options.statuses ? inArray(campaigns.status, options.statuses) : undefined,
            options.newsletterId ? eq(campaigns.newsletterId, options.newsletterId) : undefined,
          ),
        )
        .orderBy(desc(campaigns.id))
        .limit(options.limit);
      return rows.map(toCampaign);
    },

    /** Scheduled campaigns whose time has come (the scheduler decides what to do with each). */
    async listDueScheduled(db: Executor, now: Date): Promise<Campaign[]> {
      const rows = await db
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.status, 'scheduled'), lte(campaigns.scheduledAt, now)));
      return rows.map(toCampaign);
    },

    /** Sending campaigns whose row has not changed since `before` (no outcome recorded). */
    async listIdleSending(db: Executor, before: Date): Promise<Campaign[]> {
      const rows = await db
        .select()
        .from(campaigns)
        .where(and(eq(campaigns.status, 'sending'), lte(campaigns.updatedAt, before)));
      return rows.map(toCampaign);
    },

    /**
     * Applies a transition planned by `planTransition`, only if the campaign still has the
     * status it was planned from. Returns the updated campaign, or undefined when another
     * action won the race.
     */
    async applyTransition(
      db: Executor,
      id: number,
      transition: CampaignTransition,
      now: Date,
    ): Promise<Campaign | undefined> {
      const [row] = await db
        .update(campaigns)
        .set({
          status: transition.to,
          statusReason: transition.statusReason,
          updatedAt: now,
          ...(transition.startedAt ? { startedAt: transition.startedAt } : {}),
          ...(transition.finishedAt !== undefined ? { finishedAt: transition.finishedAt } : {}),
          ...(transition.scheduledAt ? { scheduledAt: transition.scheduledAt } : {}),
        })
        .where(and(eq(campaigns.id, id), eq(campaigns.status, transition.from)))
        .returning();
      return row ? toCampaign(row) : undefined;
    },

    /** Records why a campaign waits without changing its status (e.g. an overdue schedule). */
    async setStatusReason(db: Executor, id: number, reason: string | null, now: Date) {
      await db
        .update(campaigns)
        .set({ statusReason: reason, updatedAt: now })
        .where(eq(campaigns.id, id));
    },

    /** Advances the fan-out checkpoint; called in the transaction that inserted the rows. */
    async advanceFanOut(
      tx: Executor,
      id: number,
      progress: {
        lastSubscriberId: number;
        nextBatchNo: number;
        addedRecipients: number;
        isDone: boolean;
      },
      now: Date,
    ): Promise<void> {
      await tx
        .update(campaigns)
        .set({
          lastSubscriberId: progress.lastSubscriberId,
          nextBatchNo: progress.nextBatchNo,
          isFanoutDone: progress.isDone,
          recipientCount: sql`${campaigns.recipientCount} + ${progress.addedRecipients}`,
          updatedAt: now,
        })
        .where(eq(campaigns.id, id));
    },

    /**
     * Marks a sending campaign done when its fan-out has finished and no delivery row is
     * queued or sending. Returns true when this call finished it.
     */
    async completeIfFinished(db: Executor, id: number, now: Date): Promise<boolean> {
      const rows = await db
        .update(campaigns)
        .set({ status: 'done', finishedAt: now, updatedAt: now, statusReason: null })
        .where(
          and(
            eq(campaigns.id, id),
            eq(campaigns.status, 'sending'),
            eq(campaigns.isFanoutDone, true),
            sql`NOT EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.campaignId} = ${id}
                AND ${deliveries.status} IN ('queued', 'sending'))`,
          ),
        )
        .returning({ id: campaigns.id });
      return rows.length > 0;
    },
  } satisfies CampaignStore;
}

/** See {@link createCampaignRepository}. */
export type CampaignRepository = ReturnType<typeof createCampaignRepository>;
