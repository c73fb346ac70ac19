import { z } from 'zod';

import { type Campaign, CampaignStatusSchema, type DeliveryCounts } from './model.ts';

/**
 * How long a sending campaign may record no outcome before the sweep enqueues it again, by
 * default (CAMPAIGN_REKICK_AFTER_SEC).
 */
export const idleRekickMs = 10 * 60 * 1000;

/** A sending campaign with no outcome recorded for this long is reported as stalled. */
export const stallAfterMs = 5 * 60 * 1000;

/**
 * What one read of a campaign's progress returns (one statement, see
 * `db/campaign-progress-repository.ts`): the campaign, its rows per status, and the outcomes
 * written lately, from which the speed is taken.
 */
export interface ProgressReading {
  campaign: Pick<
    Campaign,
    | 'id'
    | 'newsletterId'
    | 'issueKey'
    | 'status'
    | 'statusReason'
    | 'isFanoutDone'
    | 'scheduledAt'
    | 'startedAt'
    | 'finishedAt'
    | 'updatedAt'
  >;
  counts: DeliveryCounts;
  /** Outcomes (sent or failed) written in the speed window, and when the oldest of them was. */
  recent: { count: number; oldestAt: Date | null };
  /** The database's clock at the read: the outcomes' times come from the same clock. */
  readAt: Date;
}

/** Seconds of recent outcomes the speed is measured over. @defaultValue 30 */
export const speedWindowSec = 30;

const count = z.number().int().nonnegative();

/**
 * What `campaign status` prints and the workspace's progress endpoint answers: counts, speed and
 * time left. The same object for both, so the command line and the page never disagree.
 */
export const SendingStatusSchema = z.object({
  id: z.number().int().positive(),
  newsletterId: z.string(),
  issueKey: z.string(),
  status: CampaignStatusSchema,
  statusReason: z.string().nullable(),
  /** Delivery rows written so far (grows while the fan-out runs). */
  total: count,
  sent: count,
  failed: count,
  uncertain: count,
  skipped: count,
  /** Queued or being sent. */
  remaining: count,
  /** Messages with an outcome per second over the last {@link speedWindowSec} s, or null. */
  messagesPerSecond: z.number().nonnegative().nullable(),
  /** Seconds left at that speed while sending, null when unknown. */
  etaSeconds: count.nullable(),
  isFanoutDone: z.boolean(),
  scheduledAt: z.date().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  readAt: z.date(),
  /** Why a sending campaign looks stuck and what to check, or null (see {@link describeStall}). */
  stall: z.string().nullable(),
});
/** See {@link SendingStatusSchema}. */
export type SendingStatus = z.infer<typeof SendingStatusSchema>;

/**
 * Derives the status shown to editors from one progress reading (pure, as Ghost's
 * `buildSendingStatus`). The speed is the outcomes of the window divided by the time since the
 * oldest of them, so a campaign that started ten seconds ago is not averaged over thirty; it needs
 * two outcomes at least a second apart, and is zero once a window passes with none.
 */
export function buildSendingStatus(reading: ProgressReading): SendingStatus {
  const { campaign, counts, recent, readAt } = reading;
  let messagesPerSecond: number | null = null;
  const spanMs = recent.oldestAt ? readAt.getTime() - recent.oldestAt.getTime() : 0;
  if (recent.count >= 2 && spanMs >= 1000) {
    messagesPerSecond = Math.round(((recent.count * 1000) / spanMs) * 10) / 10;
  } else if (campaign.status === 'sending' && recent.count === 0 && campaign.startedAt) {
    const sinceStartMs = readAt.getTime() - campaign.startedAt.getTime();
    if (sinceStartMs > speedWindowSec * 1000) messagesPerSecond = 0;
  }
  const remaining = counts.queued + counts.sending;
  const etaSeconds =
    campaign.status === 'sending' && messagesPerSecond !== null && messagesPerSecond > 0
      ? Math.ceil(remaining / messagesPerSecond)
      : null;
  return {
    id: campaign.id,
    newsletterId: campaign.newsletterId,
    issueKey: campaign.issueKey,
    status: campaign.status,
    statusReason: campaign.statusReason,
    total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    sent: counts.sent,
    failed: counts.failed,
    uncertain: counts.uncertain,
    skipped: counts.skipped,
    remaining,
    messagesPerSecond,
    etaSeconds,
    isFanoutDone: campaign.isFanoutDone,
    scheduledAt: campaign.scheduledAt,
    startedAt: campaign.startedAt,
    finishedAt: campaign.finishedAt,
    readAt,
    stall: describeStall(campaign, remaining, readAt),
  };
}

/**
 * Says so when a sending campaign with messages left has recorded no outcome for
 * {@link stallAfterMs}: what the watchdog of the running workers does about it (it enqueues the
 * campaign again after {@link idleRekickMs} without progress) and what to check. Null otherwise.
 */
export function describeStall(
  campaign: Pick<Campaign, 'id' | 'status' | 'updatedAt'>,
  remaining: number,
  now: Date,
): string | null {
  if (campaign.status !== 'sending' || remaining === 0) return null;
  const idleMs = now.getTime() - campaign.updatedAt.getTime();
  if (idleMs < stallAfterMs) return null;
  const idle = `no progress for ${Math.floor(idleMs / 60_000)} min (last outcome at ${campaign.updatedAt.toISOString()})`;
  const check =
    "check that a 'depeche worker' runs and that its log shows no Redis, database or SMTP relay " +
    `errors; 'depeche campaign resume ${campaign.id}' enqueues its batches again now`;
  if (idleMs < idleRekickMs) {
    const at = new Date(campaign.updatedAt.getTime() + idleRekickMs).toISOString();
    return `${idle}: a running worker's watchdog enqueues it again at about ${at}; if nothing moves, ${check}`;
  }
  return `${idle}, past the ${idleRekickMs / 60_000} min after which a running worker's watchdog enqueues it again: ${check}`;
}

/** Messages with an outcome (sent, failed, uncertain or skipped). */
export function finishedCount(
  status: Pick<SendingStatus, 'sent' | 'failed' | 'uncertain' | 'skipped'>,
) {
  return status.sent + status.failed + status.uncertain + status.skipped;
}

/** True once a campaign's status no longer moves by itself (a watcher may stop). */
export function isSettled(status: Pick<SendingStatus, 'status'>): boolean {
  return ['done', 'cancelled', 'paused', 'draft'].includes(status.status);
}

/** `1 h 02 min`, `3 min 05 s`, `12 s`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}
