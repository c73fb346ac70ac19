export { approvalOfReview, formatReviewTime, type IssueApproval } from './approval.ts';
export {
  ApprovalLinksBrokenError,
  ApproverIsLastChangerError,
  type ReviewRefusal,
  ReviewTransitionError,
} from './errors.ts';
export {
  type FailingLink,
  failingLinkLines,
  type IssueLinksSummary,
  KnownLinkUrlSchema,
  linkStatusText,
  summarizeLinks,
} from './issue-links.ts';
export {
  createIssueLinksService,
  type IssueLinksResult,
  type IssueLinksService,
  type IssueLinksServiceDeps,
} from './issue-links-service.ts';
export {
  asAuditActor,
  type ContentAuthor,
  ContentAuthorSchema,
  ContentHashSchema,
  describeAuthor,
  isSameActor,
  IssueKeySchema,
  type IssueReview,
  IssueReviewSchema,
  newIssueReview,
  OUTSIDE_THE_WORKSPACE,
  outsideAuthor,
  ReviewCommentSchema,
  type ReviewState,
  ReviewStateSchema,
} from './issue-review.ts';
export {
  type ApproveInput,
  createIssueReviewService,
  type IssueReviewService,
  type IssueReviewServiceDeps,
  type IssueReviewStatus,
} from './issue-review-service.ts';
export type { IssueReviewStore, KnownLinkStore } from './ports.ts';
export {
  applyApprove,
  applyMarkSent,
  applySave,
  applySendBack,
  applySubmit,
  type ApproveOptions,
  type ChangedAfter,
  type EffectiveReview,
  effectiveReview,
  type ReviewAuditAction,
  type ReviewAuditEvent,
  type ReviewStep,
} from './review-machine.ts';
