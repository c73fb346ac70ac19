import { createIssueFileService } from '../compose/index.ts';
import type { Config } from '../config/index.ts';
import { createGitIssueCommitter, createNewsletterLoader } from '../content/index.ts';
import { createAuditRepository, type Database } from '../db/index.ts';
import type { Clock, Logger } from '../lib/index.ts';

/** What {@link buildIssueFileService} needs. */
export interface IssueFileServiceBuildDeps {
  config: Pick<Config, 'ISSUES_DIR' | 'ISSUES_GIT_COMMIT'>;
  db: Database;
  logger: Logger;
  clock: Clock;
}

/**
 * Wires the composer's issue-file service: ISSUES_DIR, the audit log, and a git committer when
 * ISSUES_GIT_COMMIT is on (the issue-files part of the composition root).
 */
export function buildIssueFileService(deps: IssueFileServiceBuildDeps) {
  return createIssueFileService({
    issuesDir: deps.config.ISSUES_DIR,
    loadNewsletter: createNewsletterLoader(deps.config.ISSUES_DIR),
    committer: deps.config.ISSUES_GIT_COMMIT
      ? createGitIssueCommitter({ logger: deps.logger })
      : undefined,
    audit: createAuditRepository(deps.db),
    clock: deps.clock,
    logger: deps.logger,
  });
}
