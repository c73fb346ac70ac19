import { z } from 'zod';

/** What the last poll of a feed gave. */
export const FeedPollStatusSchema = z.enum(['ok', 'not-modified', 'error']);

/** The health of one monitored feed of one newsletter, as stored after each poll. */
export const FeedHealthSchema = z.object({
  newsletterId: z.string(),
  feedUrl: z.string(),
  name: z.string(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  lastPolledAt: z.date().nullable(),
  lastSuccessAt: z.date().nullable(),
  lastErrorAt: z.date().nullable(),
  /** Readable reason of the last failure. */
  lastError: z.string().nullable(),
  /** Machine reason of the last failure (`timeout`, `too-large`, `malformed`…). */
  lastErrorReason: z.string().nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  /** Entries read over all successful polls. */
  itemsSeen: z.number().int().nonnegative(),
  /** Entries in the last document read. */
  lastEntryCount: z.number().int().nonnegative().nullable(),
  /** When a poll last stored a new candidate from this feed. */
  lastNewItemAt: z.date().nullable(),
  /** Newest publication date seen in the feed. */
  newestEntryAt: z.date().nullable(),
  /** Median gap between the feed's entries (its usual rhythm), in seconds. */
  typicalGapSec: z.number().int().nonnegative().nullable(),
  /**
   * Where the feed's address permanently redirects (301, 308) as of its last successful poll:
   * the URL to write in `newsletter.yaml`.
   */
  movedTo: z.string().nullable(),
});
/** {@inheritDoc FeedHealthSchema} */
export type FeedHealth = z.infer<typeof FeedHealthSchema>;

/** A feed's state as `depeche feeds health` shows it. */
export type FeedState = 'ok' | 'failing' | 'silent' | 'never-polled';

/** A feed is silent after 3 times its usual gap between entries… */
export const SILENCE_GAP_FACTOR = 3;
/** …but never before 14 days… */
export const SILENCE_MIN_DAYS = 14;
/** …and after 30 days when its rhythm is unknown (fewer than two dated entries). */
export const SILENCE_DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * Median gap between consecutive publication dates, in seconds; `null` with fewer than two
 * distinct dates. The median, not the mean, so that one long holiday pause does not hide a
 * normally busy feed.
 */
export function medianGapSec(dates: readonly Date[]): number | null {
  const times = [...new Set(dates.map((date) => date.getTime()))].sort((a, b) => a - b);
  if (times.length < 2) return null;
  const gaps = times.slice(1).map((time, index) => time - (times[index] ?? time));
  gaps.sort((a, b) => a - b);
  const middle = Math.floor(gaps.length / 2);
  const median =
    gaps.length % 2 === 1
      ? (gaps[middle] ?? 0)
      : ((gaps[middle - 1] ?? 0) + (gaps[middle] ?? 0)) / 2;
  return Math.round(median / 1000);
}

/** How long a feed may stay silent before it is flagged, in days. */
export function silenceThresholdDays(typicalGapSec: number | null): number {
  if (typicalGapSec === null) return SILENCE_DEFAULT_DAYS;
  return Math.max(SILENCE_MIN_DAYS, (SILENCE_GAP_FACTOR * typicalGapSec * 1000) / DAY_MS);
}

/** The verdict on one feed, with the figures behind it. */
export interface FeedAssessment {
  state: FeedState;
  /** Days since the newest entry or new candidate, when known. */
  silentForDays: number | null;
  thresholdDays: number;
}

/**
 * Judges a feed: `failing` while its last poll failed; `silent` when nothing new was published
 * for longer than {@link silenceThresholdDays} of its rhythm; `never-polled` without a row.
 */
export function assessFeedHealth(health: FeedHealth | undefined, now: Date): FeedAssessment {
  const thresholdDays = silenceThresholdDays(health?.typicalGapSec ?? null);
  if (!health || !health.lastPolledAt) {
    return { state: 'never-polled', silentForDays: null, thresholdDays };
  }
  const latest = Math.max(
    health.newestEntryAt?.getTime() ?? 0,
    health.lastNewItemAt?.getTime() ?? 0,
  );
  const silentForDays = latest === 0 ? null : (now.getTime() - latest) / DAY_MS;
  if (health.consecutiveFailures > 0) return { state: 'failing', silentForDays, thresholdDays };
  const isSilent = silentForDays !== null && silentForDays > thresholdDays;
  return { state: isSilent ? 'silent' : 'ok', silentForDays, thresholdDays };
}
