import { AppError, NotFoundError } from '../lib/index.ts';
import { type CheckProblem, formatProblem } from './check-problem.ts';

function describe(kind: string, file: string, problems: readonly CheckProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${kind} '${file}' has ${count}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join(
    '\n',
  );
}

/** An issue file failed validation; `problems` lists everything wrong with it. */
export class IssueFileInvalidError extends AppError {
  /** Every problem found, with file, line and location. */
  readonly problems: CheckProblem[];

  constructor(file: string, problems: CheckProblem[]) {
    super('EISSUE', describe('Issue file', file, problems));
    this.problems = problems;
  }
}

/** A `newsletter.yaml` failed validation; `problems` lists everything wrong with it. */
export class NewsletterFileInvalidError extends AppError {
  /** Every problem found, with file, line and location. */
  readonly problems: CheckProblem[];

  constructor(file: string, problems: CheckProblem[]) {
    super('ENEWSLETTER', describe('Newsletter file', file, problems));
    this.problems = problems;
  }
}

/** An issue file that should exist does not (a month never created, or a file deleted). */
export class IssueFileNotFoundError extends NotFoundError {
  /** The missing file. */
  readonly file: string;

  constructor(file: string, options?: { cause?: unknown }) {
    super(`Issue file '${file}' not found`, options);
    this.file = file;
  }
}

/** Creating an issue file never overwrites one: the month already has its issue. */
export class IssueFileExistsError extends AppError {
  /** The file already there. */
  readonly file: string;

  constructor(file: string) {
    super('EISSUEEXISTS', `Issue file '${file}' already exists; it is never overwritten`);
    this.file = file;
  }
}

/**
 * A save was refused because the issue file changed since the editor opened it (another editor,
 * a `git pull`): nothing was written. Carries the file's current version so both can be shown.
 */
export class IssueConflictError extends AppError {
  readonly file: string;
  /** The hash the save expected (of the version the editor opened). */
  readonly expectedHash: string;
  /** The file's text now, and its hash. */
  readonly currentText: string;
  readonly currentHash: string;

  constructor(
    file: string,
    conflict: { expectedHash: string; currentText: string; currentHash: string },
  ) {
    super(
      'EISSUECONFLICT',
      `Issue file '${file}' changed since it was opened (opened version ${conflict.expectedHash.slice(0, 12)}, now ${conflict.currentHash.slice(0, 12)}); nothing written`,
    );
    this.file = file;
    this.expectedHash = conflict.expectedHash;
    this.currentText = conflict.currentText;
    this.currentHash = conflict.currentHash;
  }
}
