import { existsSync } from 'node:fs';

import {
  createIssueFile,
  formatIssueFile,
  formatProblem,
  IssueFileExistsError,
  issueFilePath,
  issueKey,
  type IssueSection,
  type Newsletter,
  readIssueNumbers,
  removeIssueFile,
  validateIssueText,
} from '../content/index.ts';
import type { Candidate } from '../feeds/index.ts';
import { AppError, type Clock, type Logger, ValidationError } from '../lib/index.ts';
import { draftIssue, frenchMonthName, issueDateFor } from './draft-issue.ts';
import { TO_BE_COMPLETED } from './placeholder-texts.ts';
import { selectCandidates } from './select-candidates.ts';

/** The candidate operations drafting needs (`createCandidateRepository` in `src/db`). */
export interface DraftCandidateStore {
  listPickedUnused(newsletterId: string): Promise<Candidate[]>;
  markUsed(ids: readonly number[], issueKey: string): Promise<number>;
  unmarkUsed(ids: readonly number[], issueKey: string): Promise<void>;
}

/** Dependencies of {@link createComposeService}. */
export interface ComposeServiceDeps {
  candidates: DraftCandidateStore;
  /** Loads a newsletter by id (`loadNewsletter` of `src/content`, bound to ISSUES_DIR). */
  loadNewsletter: (id: string) => Promise<Newsletter>;
  issuesDir: string;
  clock: Clock;
  logger: Logger;
}

/** What `depeche issue new` did. */
export type DraftResult =
  | {
      status: 'written';
      file: string;
      issueKey: string;
      number: number;
      date: string;
      items: number;
      candidateIds: number[];
    }
  | { status: 'nothing-new'; newsletterId: string; month: string };

/** Placeholder item of a skeleton issue drafted without candidates. */
function placeholderSections(newsletter: Newsletter): IssueSection[] {
  const first = newsletter.sections[0];
  if (!first) return [];
  return [
    {
      id: first.id,
      items: [
        {
          kind: 'news',
          title: `${TO_BE_COMPLETED} : titre de l’article`,
          summary: `${TO_BE_COMPLETED} : résumé en deux ou trois phrases.`,
          url: 'https://example.org/a-completer',
        },
      ],
    },
  ];
}

/**
 * Drafts new issue files (`depeche issue new`). The draft is checked with the same
 * validation as `depeche check` before it is written; an existing file is never overwritten.
 */
export function createComposeService(deps: ComposeServiceDeps) {
  const log = deps.logger.child({ component: 'compose' });

  return {
    /**
     * Writes `issues/<newsletter>/<month>.yaml` with the next issue number. With
     * `fromCandidates`, it holds the picked candidates not used by an earlier issue, which are
     * then marked used; with nothing new it writes nothing. Without, a skeleton with one
     * placeholder item.
     */
    async draftIssue(request: {
      newsletterId: string;
      month: string;
      fromCandidates: boolean;
    }): Promise<DraftResult> {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(request.month)) {
        throw new ValidationError(`Month '${request.month}' is not written YYYY-MM`);
      }
      const newsletter = await deps.loadNewsletter(request.newsletterId);
      const file = issueFilePath(deps.issuesDir, newsletter.id, request.month);
      if (existsSync(file)) throw new IssueFileExistsError(file);

      const date = issueDateFor(request.month, deps.clock.now());
      const picked = request.fromCandidates
        ? await deps.candidates.listPickedUnused(newsletter.id)
        : [];
      const selection = request.fromCandidates
        ? selectCandidates(picked, newsletter, date)
        : { sections: placeholderSections(newsletter), usedIds: [] };
      if (request.fromCandidates && selection.usedIds.length === 0) {
        return { status: 'nothing-new', newsletterId: newsletter.id, month: request.month };
      }
      const numbers = await readIssueNumbers(deps.issuesDir, newsletter.id);
      const issue = draftIssue({
        newsletter,
        number: Math.max(0, ...numbers) + 1,
        date,
        sections: selection.sections,
      });
      const text = formatIssueFile(
        issue,
        [
          `${newsletter.title} — ${frenchMonthName(request.month)}: draft written by \`depeche issue new\``,
          request.fromCandidates
            ? `from ${selection.usedIds.length} picked candidate(s). Replace every « À compléter » text,`
            : 'without candidates. Replace every « À compléter » text and the placeholder item,',
          'review kinds, institutions and locations, then run `depeche check`.',
        ].join('\n'),
      );
      const { problems } = validateIssueText(text, {
        file,
        newsletters: [newsletter],
        checkPlacement: true,
      });
      if (problems.length > 0) {
        throw new AppError(
          'EDRAFT',
          `The draft of '${file}' does not pass check, nothing written:\n${problems.map(formatProblem).join('\n')}`,
        );
      }
      const key = issueKey(issue);
      await createIssueFile(file, text);
      try {
        await deps.candidates.markUsed(selection.usedIds, key);
      } catch (error) {
        // The file and the marks go together: without marks the same candidates would be
        // drafted again next month.
        await removeIssueFile(file);
        await deps.candidates.unmarkUsed(selection.usedIds, key).catch(() => undefined);
        throw error;
      }
      const items = issue.sections.reduce((sum, section) => sum + section.items.length, 0);
      log.info({ file, issueKey: key, items }, 'issue drafted');
      return {
        status: 'written',
        file,
        issueKey: key,
        number: issue.number,
        date,
        items,
        candidateIds: selection.usedIds,
      };
    },
  };
}

/** The compose service. */
export type ComposeService = ReturnType<typeof createComposeService>;
