import type { AuditActor } from '../editors/index.ts';
import { describeAuthor } from './issue-review.ts';
import type { EffectiveReview } from './review-machine.ts';

/** Whether a campaign may be made of the issue's current content, and if not, why. */
export type IssueApproval =
  | {
      approved: true;
      by: AuditActor;
      at: Date;
      contentHash: string;
      /** approved by its own author under REVIEW_REQUIRE_OTHER_APPROVER=false */
      isSelfApproved: boolean;
    }
  | { approved: false; reason: string };

/** `2026-11-02 09:30 UTC`: a time in the reasons, the same on every machine. */
export function formatReviewTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The approval gate of campaigns, pure: approved when the stored approval is of the file's
 * current content (an issue already sent keeps its approval for another campaign); otherwise a
 * reason in English naming the issue and what to do.
 */
export function approvalOfReview(effective: EffectiveReview): IssueApproval {
  const { issueKey, review, stored } = effective;
  if (
    (effective.state === 'approved' || effective.state === 'sent') &&
    review.approvedBy !== null &&
    review.approvedAt !== null
  ) {
    return {
      approved: true,
      by: review.approvedBy,
      at: review.approvedAt,
      contentHash: effective.currentHash,
      isSelfApproved: review.isSelfApproved,
    };
  }
  if (effective.state === 'sent') {
    return {
      approved: false,
      reason: `issue ${issueKey} was sent without an approval; submit it for review and approve it`,
    };
  }
  if (effective.state === 'in_review') {
    return { approved: false, reason: `issue ${issueKey} is in review, not approved` };
  }
  if (effective.changedAfter === 'approval' && stored?.approvedAt) {
    const by = stored.approvedBy ? ` by ${describeAuthor(stored.approvedBy)}` : '';
    return {
      approved: false,
      reason:
        `issue ${issueKey} changed after its approval on ${formatReviewTime(stored.approvedAt)}` +
        `${by}; submit it and approve it again`,
    };
  }
  if (effective.changedAfter === 'submission') {
    return {
      approved: false,
      reason: `issue ${issueKey} changed after it was submitted for review; submit it again`,
    };
  }
  if (effective.changedAfter === 'sending') {
    return {
      approved: false,
      reason: `issue ${issueKey} changed after it was sent; submit it and approve it again`,
    };
  }
  if (review.returnedBy !== null && review.returnedAt !== null && review.comment !== null) {
    return {
      approved: false,
      reason:
        `issue ${issueKey} was sent back by ${describeAuthor(review.returnedBy)} on ` +
        `${formatReviewTime(review.returnedAt)} (“${review.comment}”); it is a draft, not approved`,
    };
  }
  return {
    approved: false,
    reason: `issue ${issueKey} is a draft, not submitted for review nor approved`,
  };
}
