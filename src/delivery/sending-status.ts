import type { Campaign } from './campaign.ts';
import { type CampaignProgress, idleRekickMs } from './delivery-service.ts';

/** A sending campaign with no outcome recorded for this long is reported as stalled. */
export const stallAfterMs = 5 * 60 * 1000;

/** One observation of a campaign's progress: messages with an outcome at an instant. */
export interface ProgressSample {
  atMs: number;
  finished: number;
}

/** What `campaign status` shows: counts, speed and time left. */
export interface SendingStatus {
  id: number;
  status: string;
  statusReason: string | null;
  issueKey: string;
  total: number;
  sent: number;
  failed: number;
  uncertain: number;
  skipped: number;
  /** Queued or being sent. */
  remaining: number;
  /** Messages per second over the samples, null until two samples differ in time. */
  messagesPerSecond: number | null;
  /** Seconds left at that speed, null when unknown. */
  etaSeconds: number | null;
  isFanoutDone: boolean;
  /** Why a sending campaign looks stuck and what to check, or null (see {@link describeStall}). */
  stall: string | null;
}

/**
 * Derives the status shown to editors from the stored progress and recent samples (pure, as
 * Ghost's `buildSendingStatus`). The speed is taken over the window the samples cover.
 */
export function buildSendingStatus(
  progress: CampaignProgress,
  samples: readonly ProgressSample[] = [],
  now?: Date,
): SendingStatus {
  const { campaign, counts } = progress;
  const first = samples[0];
  const last = samples[samples.length - 1];
  let messagesPerSecond: number | null = null;
  if (first && last && last.atMs > first.atMs) {
    messagesPerSecond = ((last.finished - first.finished) * 1000) / (last.atMs - first.atMs);
  }
  const remaining = counts.queued + counts.sending;
  const etaSeconds =
    messagesPerSecond && messagesPerSecond > 0 ? Math.ceil(remaining / messagesPerSecond) : null;
  return {
    id: campaign.id,
    status: campaign.status,
    statusReason: campaign.statusReason,
    issueKey: campaign.issueKey,
    total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    sent: counts.sent,
    failed: counts.failed,
    uncertain: counts.uncertain,
    skipped: counts.skipped,
    remaining,
    messagesPerSecond: messagesPerSecond === null ? null : Math.round(messagesPerSecond * 10) / 10,
    etaSeconds,
    isFanoutDone: campaign.isFanoutDone,
    stall: now === undefined ? null : describeStall(campaign, remaining, now),
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
