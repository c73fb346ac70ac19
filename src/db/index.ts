export {
  type ArchivedIssue,
  ArchivedIssueSchema,
  type ArchiveRepository,
  createArchiveRepository,
} from './archive-repository.ts';
export { type AudienceRepository, createAudienceRepository } from './audience-repository.ts';
export { type AuditRepository, createAuditRepository } from './audit-repository.ts';
export {
  type BounceDeliveryRow,
  type BounceEventRow,
  type BounceRepository,
  type CampaignBounceCounts,
  createBounceRepository,
} from './bounce-repository.ts';
export {
  type CampaignProgressRepository,
  createCampaignProgressRepository,
} from './campaign-progress-repository.ts';
export { type CampaignRepository, createCampaignRepository } from './campaign-repository.ts';
export {
  type CandidateFilter,
  type CandidateRepository,
  createCandidateRepository,
} from './candidate-repository.ts';
export {
  type Database,
  type DatabaseHandle,
  type DatabaseTarget,
  type Executor,
  openDatabase,
  queryRows,
} from './client.ts';
export {
  type ConfirmationDue,
  createConfirmationReminderRepository,
} from './confirmation-reminder-repository.ts';
export {
  type ConsentEventKind,
  type ConsentEventRecord,
  type ConsentRepository,
  createConsentRepository,
  type NewConsentEvent,
} from './consent-repository.ts';
export { createDeliveryRepository, type DeliveryRepository } from './delivery-repository.ts';
export { createEditorRepository, type EditorRepository } from './editor-repository.ts';
export {
  createEditorSessionRepository,
  type EditorSessionRepository,
} from './editor-session-repository.ts';
export { EmbeddedDatabaseBusyError } from './embedded-lock.ts';
export { createFeedHealthRepository, type FeedHealthRepository } from './feed-health-repository.ts';
export { createInboxRepository, type InboxRepository } from './inbox-repository.ts';
export {
  createIssueKnownLinksRepository,
  type IssueKnownLinksRepository,
  type KnownLink,
} from './issue-known-links-repository.ts';
export {
  createIssueReviewRepository,
  type IssueReviewRepository,
} from './issue-review-repository.ts';
export { loadMigrations, migrate, type Migration, migrationsDir } from './migrate.ts';
export {
  createNewsletterTesterRepository,
  type NewsletterTesterRepository,
} from './newsletter-tester-repository.ts';
export { openDatabaseFromConfig } from './open-from-config.ts';
export {
  type BounceEventCount,
  createOpsRepository,
  type DeliveryCount,
  type FeedFailureCount,
  type OpsRepository,
  type SubscriptionCount,
} from './ops-repository.ts';
export {
  createRetentionRepository,
  type ExpiredPending,
  type RetentionRepository,
} from './retention-repository.ts';
export * as tables from './schema/index.ts';
export {
  createSubscriberImportRepository,
  type ImportConflictMode,
  type ImportExistingRow,
  type ImportKnownAddresses,
  type ImportSubscriberRow,
  isUniqueViolation,
  type SubscriberImportRepository,
} from './subscriber-import-repository.ts';
export {
  createSubscriberRepository,
  type SubscriberListRow,
  type SubscriberRecord,
  type SubscriberRepository,
  type SubscriberValues,
} from './subscriber-repository.ts';
export {
  createSubscriptionRepository,
  type SubscriptionRecord,
  type SubscriptionRepository,
  type SubscriptionStatusCount,
  type SubscriptionStatusValue,
  type UnsubscribeEvent,
} from './subscription-repository.ts';
export {
  createSuppressionRepository,
  type SuppressionListRow,
  type SuppressionReasonValue,
  type SuppressionRecord,
  type SuppressionRepository,
} from './suppression-repository.ts';
export {
  createWebhookTokenRepository,
  type WebhookTokenRepository,
  type WebhookTokenRow,
} from './webhook-token-repository.ts';
export {
  createWorkspaceHomeRepository,
  type HomeCampaign,
  type WorkspaceHomeRepository,
} from './workspace-home-repository.ts';
