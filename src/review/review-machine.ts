import type { AuditActor } from '../editors/index.ts';
import { ApproverIsLastChangerError, ReviewTransitionError } from './errors.ts';
import {
  type ContentAuthor,
  describeAuthor,
  isSameActor,
  type IssueReview,
  newIssueReview,
  outsideAuthor,
  type ReviewState,
} from './issue-review.ts';

/** What the content changed after, when its hash no longer matches the stored state's. */
export type ChangedAfter = 'submission' | 'approval' | 'sending';

/**
 * The review of an issue as of its file's current content: the stored state when the hash
 * matches; a draft changed outside the workspace when it does not.
 */
export interface EffectiveReview {
  issueKey: string;
  /** The state that counts now. */
  state: ReviewState;
  /** The stored review with the state that counts (what a transition starts from). */
  review: IssueReview;
  /** What is stored, null when nothing was ever recorded for the issue. */
  stored: IssueReview | null;
  currentHash: string;
  /** Whether the file's hash is the stored one; null when no hash was recorded. */
  hashMatches: boolean | null;
  /** Set when the file changed (outside the workspace) after a submission, approval or sending. */
  changedAfter: ChangedAfter | null;
}

/** An audit entry a transition asks for (appended by the service with its time). */
export interface ReviewAuditEvent {
  actor: AuditActor;
  action: ReviewAuditAction;
  details: Record<string, unknown>;
}

/** The audit actions of the review, all with object type `issue` and the issue key as id. */
export type ReviewAuditAction =
  'issue.back-to-draft' | 'issue.submit' | 'issue.approve' | 'issue.send-back' | 'issue.sent';

/** The outcome of an accepted transition: the review to store and what to audit. */
export interface ReviewStep {
  review: IssueReview;
  events: ReviewAuditEvent[];
}

const changedAfterOf: Record<ReviewState, ChangedAfter | null> = {
  draft: null,
  in_review: 'submission',
  approved: 'approval',
  sent: 'sending',
};

/** Clears what a submission and an approval recorded (the content they vouched for changed). */
function withoutVerdicts(review: IssueReview): IssueReview {
  return {
    ...review,
    submittedBy: null,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    isSelfApproved: false,
  };
}

function touched(review: IssueReview, now: Date): IssueReview {
  return { ...review, version: review.version + 1, updatedAt: now };
}

/**
 * The review that counts for the file's `currentHash`: the stored one when the hash matches (or
 * none was recorded); otherwise a draft whose last change was made outside the workspace, with
 * its submission and approval dropped. Pure.
 */
export function effectiveReview(
  stored: IssueReview | null,
  issueKey: string,
  currentHash: string,
  now: Date,
): EffectiveReview {
  const base = { issueKey, stored, currentHash };
  if (stored === null) {
    const review = { ...newIssueReview(issueKey, now), contentHash: currentHash };
    return { ...base, state: 'draft', review, hashMatches: null, changedAfter: null };
  }
  if (stored.contentHash === null) {
    const review = { ...stored, contentHash: currentHash };
    return { ...base, state: stored.state, review, hashMatches: null, changedAfter: null };
  }
  if (stored.contentHash === currentHash) {
    return { ...base, state: stored.state, review: stored, hashMatches: true, changedAfter: null };
  }
  const review: IssueReview = {
    ...withoutVerdicts(stored),
    state: 'draft',
    contentHash: currentHash,
    lastChangedBy: outsideAuthor,
    lastChangedAt: null,
  };
  return {
    ...base,
    state: 'draft',
    review,
    hashMatches: false,
    changedAfter: changedAfterOf[stored.state],
  };
}

/** The event recording that a change outside the workspace returned the issue to draft. */
function outsideChangeEvents(effective: EffectiveReview, detectedBy: AuditActor) {
  if (effective.changedAfter === null || effective.stored === null) return [];
  return [
    {
      actor: detectedBy,
      action: 'issue.back-to-draft' as const,
      details: {
        from: effective.stored.state,
        cause: 'changed outside the workspace',
        contentHash: effective.currentHash,
        previousHash: effective.stored.contentHash,
      },
    },
  ];
}

/**
 * A save through the workspace (or a command) wrote `newHash`: the issue is a draft whose last
 * changer is `actor`. Any change of content during review or after approval returns it to
 * draft. Null when the hash is the stored one (nothing changed). Pure.
 */
export function applySave(
  stored: IssueReview | null,
  issueKey: string,
  newHash: string,
  actor: AuditActor,
  now: Date,
): ReviewStep | null {
  if (stored !== null && stored.contentHash === newHash) return null;
  const base = stored ?? newIssueReview(issueKey, now);
  const review = touched(
    {
      ...withoutVerdicts(base),
      state: 'draft',
      contentHash: newHash,
      lastChangedBy: actor,
      lastChangedAt: now,
    },
    now,
  );
  const events: ReviewAuditEvent[] =
    base.state === 'draft'
      ? []
      : [
          {
            actor,
            action: 'issue.back-to-draft',
            details: {
              from: base.state,
              cause: 'saved',
              contentHash: newHash,
              previousHash: base.contentHash,
            },
          },
        ];
  return { review, events };
}

function refuseUnlessDraft(effective: EffectiveReview): void {
  const { issueKey, state } = effective;
  if (state === 'in_review') {
    throw new ReviewTransitionError(
      'already-in-review',
      issueKey,
      state,
      `Issue ${issueKey} is already in review`,
    );
  }
  if (state === 'approved') {
    throw new ReviewTransitionError(
      'already-approved',
      issueKey,
      state,
      `Issue ${issueKey} is already approved`,
    );
  }
  if (state === 'sent') {
    throw new ReviewTransitionError(
      'already-sent',
      issueKey,
      state,
      `Issue ${issueKey} was already sent; change it to make a new version to review`,
    );
  }
}

/** Submits a draft for review. Pure. @throws ReviewTransitionError unless it is a draft. */
export function applySubmit(effective: EffectiveReview, actor: AuditActor, now: Date): ReviewStep {
  refuseUnlessDraft(effective);
  const review = touched(
    {
      ...effective.review,
      state: 'in_review',
      submittedBy: actor,
      submittedAt: now,
      comment: null,
    },
    now,
  );
  return {
    review,
    events: [
      ...outsideChangeEvents(effective, actor),
      {
        actor,
        action: 'issue.submit',
        details: {
          contentHash: effective.currentHash,
          lastChangedBy: effective.review.lastChangedBy
            ? describeAuthor(effective.review.lastChangedBy)
            : null,
        },
      },
    ],
  };
}

/** Refuses a transition that needs the issue in review (or approved, with `isApprovedAllowed`). */
function refuseUnlessInReview(
  effective: EffectiveReview,
  verb: string,
  isApprovedAllowed: boolean,
): void {
  const { issueKey, state } = effective;
  if (state === 'draft') {
    if (effective.changedAfter === 'submission' || effective.changedAfter === 'approval') {
      throw new ReviewTransitionError(
        'changed-since-submitted',
        issueKey,
        state,
        `Issue ${issueKey} changed after it was ${effective.changedAfter === 'approval' ? 'approved' : 'submitted for review'} ` +
          `(its file is not the version submitted): it is a draft again; submit it again`,
      );
    }
    throw new ReviewTransitionError(
      'not-in-review',
      issueKey,
      state,
      `Issue ${issueKey} is a draft, not in review: it cannot be ${verb}; submit it for review first`,
    );
  }
  if (state === 'sent') {
    throw new ReviewTransitionError(
      'already-sent',
      issueKey,
      state,
      `Issue ${issueKey} was already sent: it cannot be ${verb}`,
    );
  }
  if (state === 'approved' && !isApprovedAllowed) {
    throw new ReviewTransitionError(
      'already-approved',
      issueKey,
      state,
      `Issue ${issueKey} is already approved`,
    );
  }
}

/** Who answers for the content: its last changer, or its submitter when that one is unknown. */
function answerableFor(review: IssueReview) {
  const last = review.lastChangedBy;
  if (last !== null && last.kind !== 'outside') {
    return { who: last as ContentAuthor, answersAs: 'last-changer' as const };
  }
  if (review.submittedBy === null) return null;
  return {
    who: review.submittedBy as ContentAuthor,
    answersAs:
      last === null ? ('submitter-only-known' as const) : ('submitter-of-outside-change' as const),
  };
}

/** Options of {@link applyApprove}. */
export interface ApproveOptions {
  /** REVIEW_REQUIRE_OTHER_APPROVER: the approver must not be the last changer. */
  requireOtherApprover: boolean;
  /** The hash of the content the approver looked at; refused when the file differs. */
  seenHash?: string | undefined;
}

/**
 * Approves an issue in review, bound to its current content hash. The approver must not be the
 * one who answers for the content — its last changer, or, when that change was made outside the
 * workspace, its submitter — unless `requireOtherApprover` is off: then the audit entry says the
 * author approved it under that setting. Pure.
 * @throws ReviewTransitionError unless in review, or when `seenHash` is not the current hash;
 *   ApproverIsLastChangerError for the author when another approver is required.
 */
export function applyApprove(
  effective: EffectiveReview,
  actor: AuditActor,
  now: Date,
  options: ApproveOptions,
): ReviewStep {
  refuseUnlessInReview(effective, 'approved', false);
  if (options.seenHash !== undefined && options.seenHash !== effective.currentHash) {
    throw new ReviewTransitionError(
      'changed-since-seen',
      effective.issueKey,
      effective.state,
      `Issue ${effective.issueKey} changed since you opened it: look at the new version before approving it`,
    );
  }
  const answerable = answerableFor(effective.review);
  const isSelfApproved = answerable !== null && isSameActor(actor, answerable.who);
  if (isSelfApproved && options.requireOtherApprover) {
    throw new ApproverIsLastChangerError(
      effective.issueKey,
      describeAuthor(actor),
      answerable.answersAs,
    );
  }
  const review = touched(
    { ...effective.review, state: 'approved', approvedBy: actor, approvedAt: now, isSelfApproved },
    now,
  );
  const details: Record<string, unknown> = { contentHash: effective.currentHash };
  if (isSelfApproved) {
    details.selfApproved = true;
    details.note =
      'approved by its own author: allowed because REVIEW_REQUIRE_OTHER_APPROVER=false';
  }
  return { review, events: [{ actor, action: 'issue.approve', details }] };
}

/**
 * Sends an issue in review (or approved) back to its authors with a comment: a draft again.
 * Pure. @throws ReviewTransitionError when it is a draft or was sent.
 */
export function applySendBack(
  effective: EffectiveReview,
  actor: AuditActor,
  now: Date,
  comment: string,
): ReviewStep {
  refuseUnlessInReview(effective, 'sent back', true);
  const review = touched(
    {
      ...withoutVerdicts(effective.review),
      state: 'draft',
      returnedBy: actor,
      returnedAt: now,
      comment,
    },
    now,
  );
  return {
    review,
    events: [
      {
        actor,
        action: 'issue.send-back',
        details: { from: effective.state, comment, contentHash: effective.currentHash },
      },
    ],
  };
}

/**
 * A campaign of the issue started sending: the issue is sent, whatever its state (a campaign made
 * with `--skip-review` sends an unapproved issue; the entry says so). The content hash stays the
 * stored one, so a later change still reads as a change. Null when this campaign was recorded
 * already. Pure.
 */
export function applyMarkSent(
  stored: IssueReview | null,
  issueKey: string,
  campaignId: number,
  actor: AuditActor,
  now: Date,
): ReviewStep | null {
  if (stored?.state === 'sent' && stored.sentCampaignId === campaignId) return null;
  const base = stored ?? newIssueReview(issueKey, now);
  const review = touched({ ...base, state: 'sent', sentAt: now, sentCampaignId: campaignId }, now);
  return {
    review,
    events: [
      {
        actor,
        action: 'issue.sent',
        details: {
          campaignId,
          from: base.state,
          wasApproved: base.approvedBy !== null,
          contentHash: base.contentHash,
        },
      },
    ],
  };
}
