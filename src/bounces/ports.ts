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

/** The data the bounce processing reads and writes (implemented in `db/bounce-repository.ts`). */
export interface BounceStore {
  /** True when an event with this fingerprint is recorded: the message was processed. */
  isProcessed(fingerprint: string): Promise<boolean>;
  findDelivery(deliveryId: number): Promise<DeliveryRef | undefined>;
  /** The delivery of a campaign (by its message key) to a subscriber. */
  findDeliveryByMessageKey(
    messageKey: string,
    subscriberId: number,
  ): Promise<DeliveryRef | undefined>;
  /** Records events; fingerprints already recorded are left as they are. */
  recordEvents(events: NewBounceEvent[]): Promise<void>;
  markDelivery(deliveryId: number, mark: DeliveryBounceMark): Promise<void>;
  /** Distinct deliveries, other than `exceptDeliveryId`, soft-bounced for the address since `since`. */
  countSoftBounces(emailHash: string, since: Date, exceptDeliveryId: number): Promise<number>;
}

/** What the processing asks of the subscribers domain (its service, wired in the root). */
export interface RecipientActions {
  /** Suppresses the address, with a consent event; a stronger reason is never downgraded. */
  suppress(
    email: string,
    reason: 'hard_bounce' | 'soft_bounce' | 'complaint',
    detail: string | null,
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
