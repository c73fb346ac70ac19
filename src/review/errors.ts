import { AppError } from '../lib/index.ts';
import type { ReviewState } from './issue-review.ts';

/**
 * Why a review transition was refused, for callers choosing their own words (the workspace's
 * French strings): the message itself is English.
 */
export type ReviewRefusal =
  | 'already-in-review'
  | 'already-approved'
  | 'already-sent'
  | 'not-in-review'
  | 'changed-since-submitted'
  | 'changed-since-seen'
  | 'own-change'
  | 'concurrent-change';

/** A review transition (submit, approve, send back) the issue's state does not allow. */
export class ReviewTransitionError extends AppError {
  readonly refusal: ReviewRefusal;
  readonly issueKey: string;
  /** The issue's effective state when it was refused. */
  readonly state: ReviewState;

  constructor(refusal: ReviewRefusal, issueKey: string, state: ReviewState, message: string) {
    super('EREVIEW', message);
    this.refusal = refusal;
    this.issueKey = issueKey;
    this.state = state;
  }
}

/**
 * The approver is the last person who changed the content, and REVIEW_REQUIRE_OTHER_APPROVER is
 * on (the default): a second pair of eyes is required.
 */
export class ApproverIsLastChangerError extends ReviewTransitionError {
  /**
   * @param answersAs why the approver answers for the content: as its last changer, as the
   *   submitter of a change made outside the workspace, or as the submitter of an issue with no
   *   recorded change
   */
  constructor(
    issueKey: string,
    who: string,
    answersAs: 'last-changer' | 'submitter-of-outside-change' | 'submitter-only-known',
  ) {
    const role = {
      'last-changer': 'who changed its content last',
      'submitter-of-outside-change': 'who submitted it after it changed outside the workspace',
      'submitter-only-known': 'who submitted it and is its only known author',
    }[answersAs];
    super(
      'own-change',
      issueKey,
      'in_review',
      `Issue ${issueKey} cannot be approved by ${who}, ${role}: another editor must ` +
        'approve it (REVIEW_REQUIRE_OTHER_APPROVER is on)',
    );
  }
}
