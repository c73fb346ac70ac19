import { can } from '../../editors/index.ts';
import {
  type ContentAuthor,
  describeAuthor,
  isSameActor,
  type IssueReviewStatus,
} from '../../review/index.ts';
import type { SignedInEditor } from './session.ts';

/** One line of an issue's review history. */
export interface ReviewHistoryLine {
  /** `editor.composer.history.<event>` */
  event: 'changed' | 'submitted' | 'approved' | 'returned' | 'sent';
  who: string | null;
  at: Date | null;
}

/**
 * The review panel of the issue page, pure: the issue's state, its history (last change,
 * submission, approval, send-back with its comment, sending) and the buttons the state and the
 * editor's role allow. An approval the editor may not give because they changed the content
 * last is shown with its reason, not hidden.
 */
export function reviewPanel(
  status: IssueReviewStatus,
  editor: SignedInEditor,
  fileHash: string,
  problemCount: number,
) {
  const review = status.review;
  const who = (author: ContentAuthor | null) => (author === null ? null : describeAuthor(author));
  const history: ReviewHistoryLine[] = [];
  if (review.lastChangedBy !== null) {
    history.push({ event: 'changed', who: who(review.lastChangedBy), at: review.lastChangedAt });
  }
  if (review.submittedAt !== null) {
    history.push({ event: 'submitted', who: who(review.submittedBy), at: review.submittedAt });
  }
  if (review.approvedAt !== null) {
    history.push({ event: 'approved', who: who(review.approvedBy), at: review.approvedAt });
  }
  if (review.returnedAt !== null) {
    history.push({ event: 'returned', who: who(review.returnedBy), at: review.returnedAt });
  }
  if (review.sentAt !== null) history.push({ event: 'sent', who: null, at: review.sentAt });
  history.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  const me: ContentAuthor = { kind: 'editor', editorId: editor.id, name: editor.email };
  const isLastChanger = review.lastChangedBy !== null && isSameActor(review.lastChangedBy, me);
  return {
    state: status.state,
    history,
    comment: review.returnedAt !== null && status.state === 'draft' ? review.comment : null,
    isChangedOutside: status.changedAfter !== null,
    isSelfApproved: review.isSelfApproved && status.state !== 'draft',
    fileHash,
    canSubmit: status.state === 'draft' && can(editor.role, 'issue.submit'),
    hasProblems: problemCount > 0,
    canApprove: status.state === 'in_review' && can(editor.role, 'issue.approve'),
    isLastChanger,
    canSendBack:
      (status.state === 'in_review' || status.state === 'approved') &&
      can(editor.role, 'issue.approve'),
  };
}
