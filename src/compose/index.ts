export {
  checkIssueLinks,
  type IssueLinkCheck,
  type IssueLinksReport,
} from './check-issue-links.ts';
export {
  type ComposeService,
  type ComposeServiceDeps,
  createComposeService,
  type DraftCandidateStore,
  type DraftResult,
} from './compose-service.ts';
export { draftIssue, frenchMonthName, issueDateFor } from './draft-issue.ts';
export {
  type CandidateNote,
  CandidateNoteSchema,
  type CandidatePatch,
  CandidateSelectionSchema,
  type DismissInput,
  INBOX_PAGE_SIZE_MAX,
  type InboxCandidate,
  type InboxPage,
  type InboxQuery,
  type InboxQueryInput,
  InboxQuerySchema,
  type InboxState,
  InboxStateFilterSchema,
  InboxStateSchema,
  type InboxStore,
  type InboxStoreQuery,
  type InboxTransaction,
  type MoveInput,
  MoveInputSchema,
  type NoteInput,
  NoteInputSchema,
  type PickInput,
  PickInputSchema,
} from './inbox.ts';
export {
  createInboxService,
  type InboxService,
  type InboxServiceDeps,
  type TriageOutcome,
} from './inbox-service.ts';
export {
  createIssueFileService,
  type IssueFileService,
  type IssueFileServiceDeps,
  type IssueWriter,
} from './issue-file-service.ts';
export { findPlaceholder, PLACEHOLDER_TEXTS, TO_BE_COMPLETED } from './placeholder-texts.ts';
export {
  candidateToItem,
  escapeMarkdown,
  kindForCandidate,
  selectCandidates,
  type Selection,
  UNKNOWN_LOCATION,
} from './select-candidates.ts';
export {
  checkIssueContent,
  formatFinding,
  GMAIL_CLIP_BYTES,
  type GuardFinding,
  GuardFindingSchema,
  guardLocator,
  type GuardSource,
  isBlocking,
  type PastDeadline,
  pastDeadlineFindings,
  pastDeadlines,
  placeholderFindings,
  readinessFindings,
  renderedSizeFindings,
  utcDate,
} from './send-guards.ts';
export {
  createTriageService,
  type TriageCandidateStore,
  type TriageService,
  type TriageServiceDeps,
} from './triage-service.ts';
