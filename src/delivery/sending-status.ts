import type { CampaignProgress } from './delivery-service.ts';

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
}

/**
 * Derives the status shown to editors from the stored progress and recent samples (pure, as
 * Ghost's `buildSendingStatus`). The speed is taken over the window the samples cover.
 */
export function buildSendingStatus(
  progress: CampaignProgress,
  samples: readonly ProgressSample[] = [],
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
  };
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
