import { checkIssueLinks, type IssueLinksReport } from '../compose/index.ts';
import { collectIssueLinks, type Issue, type LinkChecker } from '../content/index.ts';
import type { AuditActor, AuditStore } from '../editors/index.ts';
import { type Clock, NotFoundError, ValidationError } from '../lib/index.ts';
import { type IssueLinksSummary, KnownLinkUrlSchema, summarizeLinks } from './issue-links.ts';
import { IssueKeySchema } from './issue-review.ts';
import type { KnownLinkStore } from './ports.ts';

/** Dependencies of {@link createIssueLinksService}. */
export interface IssueLinksServiceDeps {
  /** The issue as its file is now, and how to name where a path of it is (`guardLocator`). */
  loadIssue(
    issueKey: string,
  ): Promise<{ issue: Issue; locate: (path: Array<string | number>) => string }>;
  /** In production the checker on the feed poller's address policy (`buildApprovalLinkChecker`). */
  linkChecker: Pick<LinkChecker, 'check'>;
  knownLinks: KnownLinkStore;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
}

/** The link check of an issue: every link with its result, and the counts. */
export interface IssueLinksResult {
  issueKey: string;
  report: IssueLinksReport;
  summary: IssueLinksSummary;
}

function parseKey(issueKey: string): string {
  const parsed = IssueKeySchema.safeParse(issueKey);
  if (!parsed.success) throw new ValidationError(`Issue key '${issueKey.slice(0, 120)}': invalid`);
  return parsed.data;
}

function parseUrl(url: string): string {
  const parsed = KnownLinkUrlSchema.safeParse(url);
  if (!parsed.success) {
    throw new ValidationError(`URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * The links of an issue at approval: checks them all (each URL once) and keeps the URLs an
 * editor marked as known to fail (`issue_known_links`), which then no longer block approval.
 * Marks are audited: `issue.link-known`, `issue.link-unknown` (object type `issue`).
 */
export function createIssueLinksService(deps: IssueLinksServiceDeps) {
  const { knownLinks, audit, clock } = deps;

  async function check(issueKey: string): Promise<IssueLinksResult> {
    const key = parseKey(issueKey);
    const { issue, locate } = await deps.loadIssue(key);
    const known = (await knownLinks.list(key)).map((link) => link.url);
    const report = await checkIssueLinks(issue, deps.linkChecker, known, locate);
    return { issueKey: key, report, summary: summarizeLinks(report) };
  }

  return {
    check,

    /** The report alone, as the review service's `checkLinks` takes it. */
    checkLinks: async (issueKey: string): Promise<IssueLinksReport> =>
      (await check(issueKey)).report,

    /**
     * Marks `url` of the issue as known to fail; marking it again keeps the first mark.
     * @throws ValidationError when it is no link of the issue as its file is now
     */
    async markKnown(issueKey: string, url: string, actor: AuditActor): Promise<void> {
      const key = parseKey(issueKey);
      const link = parseUrl(url);
      const { issue } = await deps.loadIssue(key);
      if (!collectIssueLinks(issue).some((found) => found.url === link)) {
        throw new ValidationError(`${link} is not a link of issue ${key}: nothing to mark`);
      }
      const now = clock.now();
      await knownLinks.mark(key, link, actor, now);
      await audit.append(
        {
          actor,
          action: 'issue.link-known',
          objectType: 'issue',
          objectId: key,
          details: { url: link },
        },
        now,
      );
    },

    /**
     * Removes the mark: the link blocks approval again while it fails.
     * @throws NotFoundError when the URL was not marked
     */
    async unmarkKnown(issueKey: string, url: string, actor: AuditActor): Promise<void> {
      const key = parseKey(issueKey);
      const link = parseUrl(url);
      if (!(await knownLinks.unmark(key, link))) {
        throw new NotFoundError(`${link} is not marked as known in issue ${key}`);
      }
      await audit.append(
        {
          actor,
          action: 'issue.link-unknown',
          objectType: 'issue',
          objectId: key,
          details: { url: link },
        },
        clock.now(),
      );
    },
  };
}

/** See {@link createIssueLinksService}. */
export type IssueLinksService = ReturnType<typeof createIssueLinksService>;
