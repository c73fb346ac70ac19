import { AppError } from '../lib/index.ts';
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
