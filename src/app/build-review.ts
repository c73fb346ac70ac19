import { guardLocator } from '../compose/index.ts';
import type { Config } from '../config/index.ts';
import { loadIssue } from '../content/index.ts';
import {
  createAuditRepository,
  createIssueKnownLinksRepository,
  createIssueReviewRepository,
  type Database,
} from '../db/index.ts';
import type { Clock } from '../lib/index.ts';
import {
  createIssueLinksService,
  createIssueReviewService,
  type IssueLinksService,
} from '../review/index.ts';
import { buildApprovalLinkChecker } from './build-feeds.ts';

/**
 * Wires the review and approval of issues (the review part of the composition root): the
 * stored reviews, the audit log and REVIEW_REQUIRE_OTHER_APPROVER. With `links`
 * ({@link buildIssueLinksService}), approval checks the issue's links and refuses while one
 * fails unmarked; without it (the demo, test fixtures), no link is checked.
 */
export function buildIssueReviewService(deps: {
  config: Pick<Config, 'REVIEW_REQUIRE_OTHER_APPROVER'>;
  db: Database;
  clock: Clock;
  links?: Pick<IssueLinksService, 'checkLinks'>;
}) {
  return createIssueReviewService({
    store: createIssueReviewRepository(deps.db),
    audit: createAuditRepository(deps.db),
    clock: deps.clock,
    requireOtherApprover: deps.config.REVIEW_REQUIRE_OTHER_APPROVER,
    ...(deps.links ? { checkLinks: deps.links.checkLinks } : {}),
  });
}

/**
 * Wires the link check of issues: the issue files of ISSUES_DIR, the checker on the feed
 * poller's address policy (FEED_ALLOW_PRIVATE_ADDRESSES, FEED_TIMEOUT_MS) and the known links.
 */
export function buildIssueLinksService(deps: {
  config: Pick<Config, 'ISSUES_DIR' | 'FEED_TIMEOUT_MS' | 'FEED_ALLOW_PRIVATE_ADDRESSES'>;
  db: Database;
  clock: Clock;
}): IssueLinksService {
  return createIssueLinksService({
    async loadIssue(issueKey) {
      const { issue, file, text } = await loadIssue(deps.config.ISSUES_DIR, issueKey);
      return { issue, locate: guardLocator({ file, text }) };
    },
    linkChecker: buildApprovalLinkChecker(deps.config),
    knownLinks: createIssueKnownLinksRepository(deps.db),
    audit: createAuditRepository(deps.db),
    clock: deps.clock,
  });
}
