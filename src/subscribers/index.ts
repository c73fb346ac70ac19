export {
  CONFIRMATION_REMINDER_INTERVAL_MS,
  type ConfirmationReminder,
} from './confirmation-reminders.ts';
export { headerNames } from './csv-columns.ts';
export type { ErasureResult, SubscriberDataExport, SubscriberRef } from './data-rights.ts';
export { SubscriberNotFoundError, SubscriberSuppressedError } from './errors.ts';
export { exportColumns, exportRecord } from './export-columns.ts';
export { type ImportOptions, type ImportSummary, maxListedInvalidRows } from './import-csv.ts';
export {
  type AddInput,
  AddInputSchema,
  type AddResult,
  LiftNoteSchema,
} from './operator-operations.ts';
export { type PreferencesInput, PreferencesInputSchema } from './preferences-operations.ts';
export {
  type FieldResult,
  foldText,
  parseCareerStage,
  parseCountry,
  parseLocale,
} from './profile-fields.ts';
export { type RetentionPolicy, RetentionPolicySchema, type RetentionResult } from './retention.ts';
export type { SubscriberServiceDeps } from './service-deps.ts';
export type {
  ConfirmationDue,
  ConfirmationReminderStore,
  ConsentEventKind,
  ConsentEventRecord,
  ConsentStore,
  ExpiredPending,
  ImportConflictMode,
  ImportExistingRow,
  ImportKnownAddresses,
  ImportSubscriberRow,
  InTransaction,
  NewConsentEvent,
  RetentionStore,
  SubscriberImportStore,
  SubscriberListRow,
  SubscriberRecord,
  SubscriberStore,
  SubscriberStores,
  SubscriberValues,
  SubscriptionRecord,
  SubscriptionStatusCount,
  SubscriptionStatusValue,
  SubscriptionStore,
  SuppressionListRow,
  SuppressionReasonValue,
  SuppressionRecord,
  SuppressionStore,
  UnsubscribeEvent,
} from './stores.ts';
export {
  type Attributes,
  AttributesSchema,
  type CareerStage,
  CareerStageSchema,
  hashEmail,
  normalizeEmail,
  type Profile,
  type ProfilePatch,
  ProfilePatchSchema,
  ProfileSchema,
  type Subscriber,
  SubscriberSchema,
  tryNormalizeEmail,
} from './subscriber.ts';
export {
  createSubscriberService,
  type SubscriberFilter,
  type SubscriberService,
  type SubscriberStats,
} from './subscriber-service.ts';
export {
  type ConsentMeta,
  ConsentMetaSchema,
  NewsletterIdSchema,
  type Subscription,
  SubscriptionSchema,
  type SubscriptionStatus,
  SubscriptionStatusSchema,
  type SuppressionReason,
  SuppressionReasonSchema,
} from './subscription.ts';
export {
  type SubscribeInput,
  SubscribeInputSchema,
  type SubscriberDetails,
  type SubscribeResult,
} from './subscription-operations.ts';
export {
  createTokenSigner,
  InvalidTokenError,
  type InvalidTokenReason,
  type SignOptions,
  type TokenPayload,
  TokenPayloadSchema,
  type TokenPurpose,
  TokenPurposeSchema,
  type TokenSigner,
  type TokenSignerOptions,
} from './tokens.ts';
