export { campaignBodies, campaigns, deliveries } from './campaigns.ts';
export { candidateNotes, feedCandidates, feedHealth } from './feeds.ts';
export { issueReviews } from './reviews.ts';
export { consentEvents, subscribers, subscriptions, suppressions } from './subscribers.ts';
