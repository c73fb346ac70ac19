/** Who a saved version of an issue file is by, as git writes it: `Name <email>`. */
export interface IssueAuthor {
  name: string;
  email: string;
}

/** One commit of one issue file. */
export interface IssueCommitRequest {
  file: string;
  /** The commit message, first line `Issue adn/2026-11: <what changed>`. */
  message: string;
  author: IssueAuthor;
}

/**
 * Records a saved issue file in version control (git in production, see
 * `createGitIssueCommitter`). A save never fails because of it: when the file cannot be
 * committed, the committer logs why and answers false.
 */
export interface IssueCommitter {
  /** True when a commit was made. */
  commit(request: IssueCommitRequest): Promise<boolean>;
}
