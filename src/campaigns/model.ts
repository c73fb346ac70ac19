import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';
import { CampaignNotSendableError } from './errors.ts';
import { SegmentSchema } from './segment.ts';

export { type Segment, SegmentSchema } from './segment.ts';

/** draft → scheduled → sending ⇄ paused → done | cancelled. */
export const CampaignStatusSchema = z.enum([
  'draft',
  'scheduled',
  'sending',
  'paused',
  'done',
  'cancelled',
]);
/** See {@link CampaignStatusSchema}. */
export type CampaignStatus = z.infer<typeof CampaignStatusSchema>;

/**
 * Status of one delivery row (one recipient of a campaign): `queued` → `sending` (claimed, with
 * the transport) → `sent` | `failed` | `uncertain` (the message data went out without a final
 * reply: never resent on its own); `skipped` when the recipient left or the campaign was
 * cancelled first.
 */
export const DeliveryStatusSchema = z.enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'uncertain',
  'skipped',
]);
/** See {@link DeliveryStatusSchema}. */
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** Number of delivery rows of a campaign in each status. */
export type DeliveryCounts = Record<DeliveryStatus, number>;

/** The outcome of one claimed delivery row, as the sender writes it back. */
export interface DeliveryOutcome {
  deliveryId: number;
  /**
   * `queued` gives the row back (transient failure: a later attempt sends it); `uncertain`: the
   * message data went to the relay without a final reply (never resent on its own).
   */
  status: 'sent' | 'failed' | 'queued' | 'uncertain';
  smtpResponse: string | null;
  messageId: string | null;
}

/** A queued delivery row of a batch with what sending needs to know about its recipient. */
export const ClaimedRecipientSchema = z.object({
  deliveryId: z.coerce.number().int().positive(),
  subscriberId: z.coerce.number().int().positive(),
  email: z.string(),
  name: z.string().nullable(),
  locale: LocaleSchema,
});
/** See {@link ClaimedRecipientSchema}. */
export type ClaimedRecipient = z.infer<typeof ClaimedRecipientSchema>;

/** A campaign's status and counts after outcomes were added to them. */
export interface CampaignTotals {
  status: CampaignStatus;
  sentCount: number;
  failedCount: number;
}

/** What messages need of the newsletter, copied into the campaign at creation. */
export const NewsletterSnapshotSchema = z.object({
  id: z.string(),
  title: z.string(),
  sender: z.object({ name: z.string(), email: z.string() }),
  reply_to: z.object({ name: z.string().optional(), email: z.string() }).optional(),
});
/** See {@link NewsletterSnapshotSchema}. */
export type NewsletterSnapshot = z.infer<typeof NewsletterSnapshotSchema>;

/** One send of one rendered issue to one audience, as stored in `campaigns`. */
export const CampaignSchema = z.object({
  id: z.number().int().positive(),
  newsletterId: z.string(),
  issueKey: z.string(),
  status: CampaignStatusSchema,
  segment: SegmentSchema,
  /** Snapshot of the newsletter (sender, reply-to, title) taken at creation. */
  newsletter: NewsletterSnapshotSchema,
  contentHash: z.string(),
  scheduledAt: z.date().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  statusReason: z.string().nullable(),
  lastSubscriberId: z.number().int().nonnegative(),
  nextBatchNo: z.number().int().nonnegative(),
  isFanoutDone: z.boolean(),
  recipientCount: z.number().int().nonnegative(),
  sentCount: z.number().int().nonnegative(),
  failedCount: z.number().int().nonnegative(),
  /** Random key of the campaign's Message-IDs (`<key>.s<subscriber>@domain`), set at creation. */
  messageKey: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** See {@link CampaignSchema}. */
export type Campaign = z.infer<typeof CampaignSchema>;

/** The rendered snapshot of one language of a campaign. */
export const CampaignBodySchema = z.object({
  campaignId: z.number().int().positive(),
  locale: LocaleSchema,
  subject: z.string(),
  preheader: z.string(),
  html: z.string(),
  text: z.string(),
});
/** See {@link CampaignBodySchema}. */
export type CampaignBody = z.infer<typeof CampaignBodySchema>;

/** What an editor (or the system) asks of a campaign. */
export type CampaignAction =
  | { kind: 'send' }
  | { kind: 'schedule'; at: Date }
  | { kind: 'pause'; reason: string }
  | { kind: 'resume' }
  | { kind: 'cancel' }
  | { kind: 'retry' }
  | { kind: 'complete' };

/** The change an action makes: the state it expects and the fields it writes. */
export interface CampaignTransition {
  from: CampaignStatus;
  to: CampaignStatus;
  startedAt?: Date;
  finishedAt?: Date | null;
  scheduledAt?: Date;
  statusReason: string | null;
}

const allowed: Record<CampaignAction['kind'], readonly CampaignStatus[]> = {
  send: ['draft', 'scheduled'],
  schedule: ['draft', 'scheduled'],
  pause: ['sending'],
  resume: ['paused', 'sending'],
  cancel: ['draft', 'scheduled', 'sending', 'paused'],
  retry: ['done', 'sending', 'paused'],
  complete: ['sending'],
};

/** How late a scheduled campaign may start by itself. @defaultValue 6 hours */
export const maxScheduleLatenessMs = 6 * 60 * 60 * 1000;

/**
 * The pure state machine: what `action` does to `campaign` at `now`, or a
 * {@link CampaignNotSendableError} saying why it cannot. The repository applies the result only
 * if the row still has status `from`, so concurrent actions cannot both win.
 */
export function planTransition(
  campaign: Pick<Campaign, 'id' | 'status' | 'startedAt'>,
  action: CampaignAction,
  now: Date,
): CampaignTransition {
  const from = campaign.status;
  if (!allowed[action.kind].includes(from)) {
    throw new CampaignNotSendableError(
      `Campaign ${campaign.id} is ${from}: '${action.kind}' applies only to a campaign that is ${allowed[action.kind].join(' or ')}`,
    );
  }
  switch (action.kind) {
    case 'send':
      return { from, to: 'sending', startedAt: campaign.startedAt ?? now, statusReason: null };
    case 'schedule':
      if (action.at.getTime() < now.getTime() - 60_000) {
        throw new CampaignNotSendableError(
          `Cannot schedule campaign ${campaign.id} at ${action.at.toISOString()}: that time has passed`,
        );
      }
      return { from, to: 'scheduled', scheduledAt: action.at, statusReason: null };
    case 'pause':
      return { from, to: 'paused', statusReason: action.reason };
    case 'resume':
      return { from, to: 'sending', statusReason: null };
    case 'cancel':
      return { from, to: 'cancelled', finishedAt: now, statusReason: 'cancelled by an editor' };
    case 'retry':
      return { from, to: 'sending', finishedAt: null, statusReason: null };
    case 'complete':
      return { from, to: 'done', finishedAt: now, statusReason: null };
  }
}

/** True while workers may send messages of the campaign. */
export function isSendable(status: CampaignStatus): boolean {
  return status === 'sending';
}

/**
 * What the scheduler does with a scheduled campaign at `now`: wait for its time, start it, or —
 * more than {@link maxScheduleLatenessMs} late (a restored server, a long outage) — leave it
 * waiting for an explicit `send`.
 */
export function decideScheduledStart(
  campaign: Pick<Campaign, 'status' | 'scheduledAt'>,
  now: Date,
  maxLatenessMs = maxScheduleLatenessMs,
): 'not-due' | 'start' | 'overdue' {
  if (campaign.status !== 'scheduled' || campaign.scheduledAt === null) return 'not-due';
  const lateMs = now.getTime() - campaign.scheduledAt.getTime();
  if (lateMs < 0) return 'not-due';
  return lateMs > maxLatenessMs ? 'overdue' : 'start';
}

/** Options of {@link isErrorRateExceeded}. */
export interface ErrorRateOptions {
  /** Highest share of failed messages tolerated (SEND_MAX_ERROR_RATE). */
  maxErrorRate: number;
  /** Messages with an outcome needed before the rate means anything. @defaultValue 100 */
  minSample?: number;
}

/** True when the campaign's share of failed messages is past the limit (after a minimum sample). */
export function isErrorRateExceeded(
  counts: Pick<Campaign, 'sentCount' | 'failedCount'>,
  options: ErrorRateOptions,
): boolean {
  const total = counts.sentCount + counts.failedCount;
  if (total < (options.minSample ?? 100) || total === 0) return false;
  return counts.failedCount / total > options.maxErrorRate;
}
