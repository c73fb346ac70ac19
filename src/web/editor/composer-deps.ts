import type { CheckProblem, Issue } from '../../content/index.ts';
import type { AuditActor } from '../../editors/index.ts';

/** An issue file as the composer opens it: its text, content hash and what `check` says. */
export interface OpenedIssueFile {
  text: string;
  hash: string;
  /** The file's data, even when invalid (undefined when the YAML itself is broken). */
  data: unknown;
  /** The valid issue, when `problems` is empty. */
  issue?: Issue | undefined;
  problems: CheckProblem[];
}

/**
 * The issue files as the composer reads and writes them (the content module's issue file
 * service): open, create the issue of a month, save with the hash of the opened version.
 */
export interface ComposerFiles {
  open(newsletterId: string, month: string): Promise<OpenedIssueFile>;
  /** Creates the issue of a month (next number, date, the newsletter's sections). */
  create(actor: AuditActor, newsletterId: string, month: string): Promise<{ hash: string }>;
  /**
   * Writes `issue` if the file's hash is still `expectedHash`; else throws the content module's
   * IssueConflictError (nothing written).
   */
  save(
    actor: AuditActor,
    input: { newsletterId: string; month: string; issue: Issue; expectedHash: string },
  ): Promise<{ hash: string; isChanged: boolean }>;
}
