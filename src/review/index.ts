export { approvalOfReview, formatReviewTime, type IssueApproval } from './approval.ts';
export { ApproverIsLastChangerError, type ReviewRefusal, ReviewTransitionError } from './errors.ts';
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
export type { IssueReviewStore } from './ports.ts';
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
