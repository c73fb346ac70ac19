export type { PrivateAddressAllowance } from './address-policy.ts';
export {
  type Candidate,
  CandidateSchema,
  type CandidateStatus,
  CandidateStatusSchema,
  type NewCandidate,
  NewCandidateSchema,
} from './candidate.ts';
export { canonicalUrl, resolveWebUrl } from './canonical-url.ts';
export { type FeedEntry, FeedEntrySchema, type ParsedFeed } from './feed-entry.ts';
export { type FeedFailureReason, FeedInvalidError, FeedUnreachableError } from './feed-errors.ts';
export type { FeedFetcher, FeedValidators, FetchedFeed } from './feed-fetcher.ts';
export {
  assessFeedHealth,
  type FeedAssessment,
  type FeedHealth,
  FeedHealthSchema,
  type FeedState,
  medianGapSec,
  SILENCE_DEFAULT_DAYS,
  SILENCE_GAP_FACTOR,
  SILENCE_MIN_DAYS,
  silenceThresholdDays,
} from './feed-health.ts';
export {
  createFeedService,
  type FeedHealthReport,
  type FeedService,
  type FeedServiceDeps,
  type NewsletterFeeds,
} from './feed-service.ts';
export type { ResolveAll } from './guarded-agent.ts';
export { createGuardedFetch, type GuardedFetchOptions } from './guarded-fetch.ts';
export type { KeywordRules } from './keywords.ts';
export {
  DEFAULT_MAX_AGE_DAYS,
  type FeedRules,
  normalizeEntry,
  type NormalizeOutcome,
  type SkipReason,
  SUMMARY_MAX_LENGTH,
} from './normalize-entry.ts';
export {
  type CandidateStore,
  type FeedHealthStore,
  type FeedPollRecord,
  type FeedPollResult,
  type PollReport,
} from './poll-feed.ts';
export { createRssFetcher, type RssFetcherOptions } from './rss-fetcher.ts';
