import {
  checkIssueEdit,
  type CheckProblem,
  createIssueDocument,
  type Issue,
  type IssueAuthor,
  type IssueCommitter,
  type IssueDocument,
  issueFilePath,
  type IssueSection,
  type Newsletter,
  readIssueDocument,
  readIssueNumbers,
  type SavedIssue,
  saveIssueFile,
  SlugSchema,
} from '../content/index.ts';
import type { AuditActor, AuditStore } from '../editors/index.ts';
import { type Clock, type Logger, ValidationError } from '../lib/index.ts';
import { draftIssue, frenchMonthName, issueDateFor } from './draft-issue.ts';

/** Dependencies of {@link createIssueFileService}. */
export interface IssueFileServiceDeps {
  /** ISSUES_DIR. */
  issuesDir: string;
  /** Loads a newsletter by id (`createNewsletterLoader(ISSUES_DIR)`). */
  loadNewsletter: (id: string) => Promise<Newsletter>;
  /** Commits each write (ISSUES_GIT_COMMIT); none: files are only written. */
  committer?: IssueCommitter | undefined;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Who writes: the audit log's actor, and optionally the name git shows (the actor's address
 * otherwise; an editor's `name` may be empty).
 */
export type IssueWriter = AuditActor & { displayName?: string };

/** The placeholder item of each section of a new issue; `check` passes, the send guards refuse. */
function placeholderSections(newsletter: Newsletter): IssueSection[] {
  return newsletter.sections.map((section) => ({
    id: section.id,
    items: [
      {
        kind: 'news',
        title: 'À compléter : titre de l’article',
        summary: 'À compléter : résumé en deux ou trois phrases.',
        // One address per section: an issue may not hold the same link twice.
        url: `https://example.org/a-completer/${section.id}`,
      },
    ],
  }));
}

/**
 * The browser composer's access to issue files (`issues/<newsletter>/<YYYY-MM>.yaml`), which stay
 * the truth: it opens them, creates the issue of a month and saves edits through the content
 * module (check's validation, comments kept, a conflict refused, atomic writes). Every write is
 * in the audit log (`issue.create`, `issue.save`) with the content hash and what changed, and is
 * committed when a committer is given. Saves of one file run one at a time in this process, so
 * two requests cannot both pass the conflict check.
 */
export function createIssueFileService(deps: IssueFileServiceDeps) {
  const log = deps.logger.child({ component: 'issue-files' });
  const locks = new Map<string, Promise<unknown>>();

  const oneAtATime = <T>(file: string, task: () => Promise<T>): Promise<T> => {
    const result = (locks.get(file) ?? Promise.resolve()).then(task);
    const settled = result.catch(() => undefined);
    locks.set(file, settled);
    void settled.then(() => {
      if (locks.get(file) === settled) locks.delete(file);
    });
    return result;
  };

  const fileOf = (newsletterId: string, month: string) => {
    if (!SlugSchema.safeParse(newsletterId).success) {
      throw new ValidationError(`Invalid newsletter id '${newsletterId}'`);
    }
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new ValidationError(`Month '${month}' is not written YYYY-MM`);
    }
    return issueFilePath(deps.issuesDir, newsletterId, month);
  };

  const authorOf = (writer: IssueWriter): IssueAuthor => ({
    name: writer.displayName?.trim() || writer.name,
    email: writer.kind === 'editor' ? writer.name : `${writer.name}@localhost`,
  });
  const auditActor = (writer: IssueWriter): AuditActor =>
    writer.kind === 'editor'
      ? { kind: 'editor', editorId: writer.editorId, name: writer.name }
      : { kind: 'command-line', name: writer.name };

  return {
    /**
     * The issue file of a newsletter's month, validated as `depeche check` does (an invalid
     * file comes back with its problems).
     * @throws IssueFileNotFoundError when the month has no issue; ValidationError for a bad id
     *   or month.
     */
    async open(newsletterId: string, month: string): Promise<IssueDocument> {
      return readIssueDocument(fileOf(newsletterId, month), { issuesDir: deps.issuesDir });
    },

    /**
     * The problems the save of `next` (a form's content) would be refused with, in `depeche
     * check`'s words and with their locations; empty when it would pass. Writes nothing.
     * @throws IssueFileNotFoundError when the month has no issue.
     */
    async check(newsletterId: string, month: string, next: unknown): Promise<CheckProblem[]> {
      const file = fileOf(newsletterId, month);
      const current = await readIssueDocument(file, { issuesDir: deps.issuesDir });
      return (await checkIssueEdit(file, current.text, next, { issuesDir: deps.issuesDir }))
        .problems;
    },

    /**
     * Creates the issue of a month: the next number of the newsletter, today's date in that
     * month (else its first day), and every section of the newsletter with a placeholder item.
     * @throws IssueFileExistsError when the month has its issue already; NotFoundError for an
     *   unknown newsletter.
     */
    async create(newsletterId: string, month: string, writer: IssueWriter): Promise<IssueDocument> {
      const file = fileOf(newsletterId, month);
      const newsletter = await deps.loadNewsletter(newsletterId);
      return oneAtATime(file, async () => {
        const numbers = await readIssueNumbers(deps.issuesDir, newsletter.id);
        const issue = draftIssue({
          newsletter,
          number: Math.max(0, ...numbers) + 1,
          date: issueDateFor(month, deps.clock.now()),
          sections: placeholderSections(newsletter),
        });
        const document = await createIssueDocument(
          file,
          issue,
          [
            `${newsletter.title} — ${frenchMonthName(month)}: created in the workspace.`,
            'Replace every « À compléter » text and placeholder item; `depeche check` validates it.',
          ].join('\n'),
          { issuesDir: deps.issuesDir, committer: deps.committer, author: authorOf(writer) },
        );
        const key = `${newsletter.id}/${month}`;
        await deps.audit.append(
          {
            actor: auditActor(writer),
            action: 'issue.create',
            objectType: 'issue',
            objectId: key,
            details: { hash: document.hash, number: issue.number, committed: document.isCommitted },
          },
          deps.clock.now(),
        );
        log.info({ issueKey: key, hash: document.hash }, 'issue created');
        const { isCommitted: _, ...created } = document;
        return created;
      });
    },

    /**
     * Saves the editor's version of an issue onto its file (see `saveIssueFile`) and records it
     * in the audit log, with the new content hash and what changed. A save that changes nothing
     * is recorded too, with no changes.
     * @throws IssueConflictError when the file changed since the editor opened `expectedHash`
     *   (nothing written); IssueFileInvalidError with every problem (nothing written).
     */
    async save(
      newsletterId: string,
      month: string,
      expectedHash: string,
      next: Issue,
      writer: IssueWriter,
    ): Promise<SavedIssue & { issueKey: string }> {
      const file = fileOf(newsletterId, month);
      return oneAtATime(file, async () => {
        const saved = await saveIssueFile({
          file,
          expectedHash,
          next,
          issuesDir: deps.issuesDir,
          committer: deps.committer,
          author: authorOf(writer),
        });
        const key = `${newsletterId}/${month}`;
        await deps.audit.append(
          {
            actor: auditActor(writer),
            action: 'issue.save',
            objectType: 'issue',
            objectId: key,
            details: {
              hash: saved.hash,
              previousHash: expectedHash,
              changes: saved.changes,
              committed: saved.isCommitted,
            },
          },
          deps.clock.now(),
        );
        log.info({ issueKey: key, hash: saved.hash, changes: saved.changes.length }, 'issue saved');
        return { ...saved, issueKey: key };
      });
    },
  };
}

/** The issue-file service. */
export type IssueFileService = ReturnType<typeof createIssueFileService>;
