import type { Config } from './config/index.ts';
import { createAuditRepository, createIssueReviewRepository, type Database } from './db/index.ts';
import type { Clock } from './lib/index.ts';
import { createIssueReviewService } from './review/index.ts';

/**
 * Wires the review and approval of issues (the review part of the composition root): the
 * stored reviews, the audit log and REVIEW_REQUIRE_OTHER_APPROVER.
 */
export function buildIssueReviewService(deps: {
  config: Pick<Config, 'REVIEW_REQUIRE_OTHER_APPROVER'>;
  db: Database;
  clock: Clock;
}) {
  return createIssueReviewService({
    store: createIssueReviewRepository(deps.db),
    audit: createAuditRepository(deps.db),
    clock: deps.clock,
    requireOtherApprover: deps.config.REVIEW_REQUIRE_OTHER_APPROVER,
  });
}
