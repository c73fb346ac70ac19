import { z } from 'zod';

/**
 * Status of a subscription (subscriber × newsletter): `pending` awaits the double opt-in,
 * `active` receives the newsletter, `unsubscribed` opted out (lifted only by a new confirmed
 * opt-in of the subscriber).
 */
export const SubscriptionStatusSchema = z.enum(['pending', 'active', 'unsubscribed']);
/** @see SubscriptionStatusSchema */
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** A subscription as stored. */
export const SubscriptionSchema = z.object({
  subscriberId: z.number().int().positive(),
  newsletterId: z.string(),
  status: SubscriptionStatusSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
  confirmedAt: z.date().nullable(),
  unsubscribedAt: z.date().nullable(),
});
/** @see SubscriptionSchema */
export type Subscription = z.infer<typeof SubscriptionSchema>;

/**
 * Why an address is suppressed: `hard_bounce` (5.1.x reply or report), `soft_bounce` (repeated 4.x.x
 * within BOUNCE_SOFT_WINDOW_DAYS), `complaint` (spam report),
 * `erased` (right to erasure, only the hash is kept), `manual` (an operator).
 */
export const SuppressionReasonSchema = z.enum([
  'hard_bounce',
  'soft_bounce',
  'complaint',
  'erased',
  'manual',
]);
/** @see SuppressionReasonSchema */
export type SuppressionReason = z.infer<typeof SuppressionReasonSchema>;

/** Newsletter ids as issue files name them. */
export const NewsletterIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected a newsletter id like adn');

/**
 * Who or what records a consent event: `source` (`web`, `cli`, `import:<file>`, `smtp`…), the
 * version of the consent text agreed to, and the IP address of a web request.
 */
export const ConsentMetaSchema = z.object({
  source: z.string().trim().min(1).max(200),
  consentVersion: z.string().trim().max(50).optional(),
  ip: z.string().trim().max(64).optional(),
});
/** @see ConsentMetaSchema */
export type ConsentMeta = z.infer<typeof ConsentMetaSchema>;
