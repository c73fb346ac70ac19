export { campaignBodies, campaigns, deliveries } from './campaigns.ts';
export { candidateNotes, feedCandidates, feedHealth } from './feeds.ts';
export { consentEvents, subscribers, subscriptions, suppressions } from './subscribers.ts';
