import type { IssueReview } from './issue-review.ts';

/** The stored reviews of issues, implemented in `db/issue-review-repository.ts`. */
export interface IssueReviewStore {
  find(issueKey: string): Promise<IssueReview | null>;
  /**
   * Stores `review` if the stored one is still at `expectedVersion` (0: none stored yet).
   * Returns false when another change came first; nothing is written then.
   */
  save(review: IssueReview, expectedVersion: number): Promise<boolean>;
  /** The reviews of these issues (those with none stored are absent). */
  findMany(issueKeys: readonly string[]): Promise<IssueReview[]>;
}
