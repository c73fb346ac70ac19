import type { IssueFileService } from '../../compose/index.ts';

/**
 * The issue files as the composer reads and writes them: the compose module's issue file
 * service (open, create the issue of a month, save with the hash of the opened version; each
 * write audited, and committed when ISSUES_GIT_COMMIT is on).
 */
export type ComposerFiles = Pick<IssueFileService, 'open' | 'create' | 'save'>;
