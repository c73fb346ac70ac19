import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { buildIssueReviewService } from '../../src/app/build-review.ts';
import { hashIssueText } from '../../src/content/index.ts';
import type { Database } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { systemClock } from '../../src/lib/index.ts';

/**
 * Submits and approves the issue file `issuesDir/<issueKey>.yaml` as it is now, as two editors
 * would (one submits, another approves), so that `campaign create` accepts it.
 */
export async function approveIssue(
  db: Database,
  issueKey: string,
  issuesDir = 'issues',
): Promise<void> {
  const text = await readFile(path.join(issuesDir, `${issueKey}.yaml`), 'utf8');
  const hash = hashIssueText(text);
  const review = buildIssueReviewService({
    config: { REVIEW_REQUIRE_OTHER_APPROVER: true },
    db,
    clock: systemClock,
  });
  await review.submit(issueKey, hash, commandLineActor('test-editor'));
  await review.approve(issueKey, hash, commandLineActor('test-publisher'));
}
