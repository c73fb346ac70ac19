import { z } from 'zod';

import { BounceKindSchema } from './classify-status.ts';

/** What an inbound event was, as stored. */
export const BounceEventKindSchema = z.enum([
  'bounce',
  'complaint',
  'unsubscribe',
  'auto-reply',
  'unclassified',
]);
/** @see BounceEventKindSchema */
export type BounceEventKind = z.infer<typeof BounceEventKindSchema>;

/** How an event was attributed to a delivery. */
export const MatchedBySchema = z.enum(['verp', 'message-id', 'address', 'none', 'forged']);
/** @see MatchedBySchema */
export type MatchedBy = z.infer<typeof MatchedBySchema>;

/** One row of `bounce_events`: an inbound message, or one recipient of a report. */
export const NewBounceEventSchema = z.object({
  /** sha256 of the raw message (or a provider's event id), `:<n>` per recipient reported. */
  fingerprint: z.string().min(1).max(200),
  deliveryId: z.number().int().positive().nullable(),
  campaignId: z.number().int().positive().nullable(),
  emailHash: z.string().nullable(),
  recipientDomain: z.string().max(255).nullable(),
  kind: BounceEventKindSchema,
  class: BounceKindSchema.nullable(),
  statusCode: z.string().max(20).nullable(),
  diagnostic: z.string().max(1000).nullable(),
  /** `smtp`, `file`, or a provider's webhook. */
  source: z.string().min(1).max(50),
  matchedBy: MatchedBySchema,
  rawSize: z.number().int().nonnegative(),
  /** The first KiB of an unclassified message, for an operator. */
  rawExcerpt: z.string().max(4096).nullable(),
  receivedAt: z.date(),
});
/** @see NewBounceEventSchema */
export type NewBounceEvent = z.infer<typeof NewBounceEventSchema>;

/** A delivery row and its recipient, as far as the database still knows them. */
export interface DeliveryRef {
  deliveryId: number;
  campaignId: number;
  newsletterId: string;
  /** Null once the subscriber is erased. */
  subscriberId: number | null;
  email: string | null;
}

/** What the bounce processing records on a delivery row. */
export interface DeliveryBounceMark {
  type: 'bounce' | 'complaint';
  class: z.infer<typeof BounceKindSchema> | null;
  status: string | null;
  diagnostic: string | null;
  at: Date;
}

/** What the bounce processing reads, and the transaction it writes in (`db/bounce-repository.ts`). */
export interface BounceStore {
  /** The deliveries of these ids that still exist, in one reading. */
  findDeliveries(deliveryIds: readonly number[]): Promise<DeliveryRef[]>;
  /** The deliveries of campaigns (by their message key) to subscribers, in one reading. */
  findDeliveriesByMessageKey(
    pairs: ReadonlyArray<{ messageKey: string; subscriberId: number }>,
  ): Promise<Array<DeliveryRef & { messageKey: string }>>;
  /**
   * Runs `work` in one database transaction: the events recorded and every effect they have
   * stay together, or none of them does (the caller then answers "try again").
   */
  transaction<T>(work: (tx: BounceTransaction) => Promise<T>): Promise<T>;
}

/** The writes of one transaction of {@link BounceStore}. */
export interface BounceTransaction {
  /**
   * Records events in one statement; returns the fingerprints it recorded — one already
   * recorded (the message processed before) is left as it is and not returned.
   */
  recordEvents(events: readonly NewBounceEvent[]): Promise<Set<string>>;
  /** Marks delivery rows in one statement (one mark per delivery). */
  markDeliveries(
    marks: ReadonlyArray<{ deliveryId: number; mark: DeliveryBounceMark }>,
  ): Promise<void>;
  /**
   * The soft bounces recorded for the address since `since`, as the delivery each is about
   * (`-<event id>` for one attributed to no delivery).
   */
  softBouncedDeliveries(emailHash: string, since: Date): Promise<number[]>;
  /** The subscribers domain, in this same transaction. */
  recipients: RecipientActions;
}

/** What the processing asks of the subscribers domain (its service, wired in the root). */
export interface RecipientActions {
  /**
   * Suppresses addresses, each with a consent event for its subscriber; a stronger reason is
   * never downgraded. Many in one statement.
   */
  suppress(
    items: ReadonlyArray<{
      email: string;
      reason: 'hard_bounce' | 'soft_bounce' | 'complaint';
      detail: string | null;
    }>,
  ): Promise<void>;
  /** Unsubscribes the address from one newsletter or all, with consent events. */
  unsubscribe(email: string, newsletterId: string | 'all', source: string): Promise<string[]>;
}

/**
 * Signed webhook tokens already taken (Mailgun's signature covers a token, not the body), with
 * the body each came with (implemented in `db/webhook-token-repository.ts`).
 */
export interface WebhookTokenStore {
  /**
   * Records `token` of `provider` with the sha256 of its body, unless recorded already, and
   * forgets tokens received before `forgetBefore`; returns the body hash first recorded with the
   * token (the given one when it is new).
   */
  claim(
    entry: { provider: string; token: string; bodySha256: string; receivedAt: Date },
    forgetBefore: Date,
  ): Promise<string>;
}
