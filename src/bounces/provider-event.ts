import { z } from 'zod';

import { BounceKindSchema } from './classify-status.ts';

/**
 * A bounce or complaint reported by a sending provider's webhook (Mailgun, SendGrid, Postmark),
 * after its signature was checked: what the processing needs, whatever the provider.
 */
export const ProviderEventSchema = z.object({
  /** `<provider>:<event id>`: a replayed event changes nothing twice. */
  fingerprint: z.string().min(3).max(200),
  /** The provider, recorded as the event's source. */
  source: z.string().min(1).max(50),
  kind: z.enum(['bounce', 'complaint']),
  email: z.string().max(254).optional(),
  /** Enhanced status code (RFC 3463), when given. */
  status: z.string().max(20).optional(),
  diagnostic: z.string().max(1000).optional(),
  /** The Message-ID header of our message, as the provider echoes it. */
  messageId: z.string().max(300).optional(),
  /** The provider's own verdict, when it gives no status code (Postmark's HardBounce…). */
  class: BounceKindSchema.optional(),
});
/** @see ProviderEventSchema */
export type ProviderEvent = z.infer<typeof ProviderEventSchema>;
