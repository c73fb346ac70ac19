import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { ServeProcess } from '../app/index.ts';
import type { Config } from '../config/index.ts';
import { loadIssue } from '../content/index.ts';
import { AppError, type Clock, type Logger } from '../lib/index.ts';
import type { DraftedIssue } from './demo-pipeline.ts';
import { approveDemoIssue, finishDemoDraft } from './finish-draft.ts';

/** A step the demo could not run because its piece of the product is not there. */
export class MissingPieceError extends AppError {
  constructor(readonly piece: string) {
    super('EMISSING', `${piece} is not available in this build`);
  }
}

/** What the feed steps of the demo need. */
export interface DemoFeedsDeps {
  config: Config;
  server: ServeProcess;
  logger: Logger;
  clock: Clock;
}

/** Polls every feed of the demo's newsletters (the local sample feeds), as `depeche feeds poll`. */
export async function pollDemoFeeds(
  deps: DemoFeedsDeps,
): Promise<{ polled: number; failed: number; candidates: number }> {
  const report = await deps.server.services.feeds.pollAll();
  return {
    polled: report.totals.feeds,
    failed: report.totals.failed,
    candidates: report.totals.newCandidates,
  };
}

/** Reads a drafted (or copied) issue file back: its reference, item count and titles. */
export async function describeIssue(issuesDir: string, issueRef: string): Promise<DraftedIssue> {
  const { issue, file } = await loadIssue(issuesDir, issueRef);
  const titles = issue.sections.flatMap((section) => section.items.map((item) => item.title));
  return { newsletterId: issue.newsletter, issueRef, file, items: titles.length, titles };
}

/**
 * Drafts the `month` issue of each newsletter from the picked candidates, as
 * `depeche issue new NEWSLETTER --month M --from-candidates` does; then an editor writes what
 * the draft left to write and submits it, and a publisher approves it (`finishDemoDraft`,
 * `approveDemoIssue`), so the campaign passes the send guards as a real one would.
 */
export async function draftDemoIssues(
  deps: DemoFeedsDeps & { newsletterIds: string[]; month: string },
): Promise<DraftedIssue[]> {
  const { config } = deps;
  const { triage, compose } = deps.server.services.feeds;
  const drafted: DraftedIssue[] = [];
  for (const newsletterId of deps.newsletterIds) {
    // The editor's part: the demo picks every new candidate, in the section its feed chose.
    const fresh = await triage.list({ newsletterId, status: 'new' });
    if (fresh.length > 0) await triage.pick(fresh.map((candidate) => candidate.id));
    const result = await compose.draftIssue({
      newsletterId,
      month: deps.month,
      fromCandidates: true,
    });
    if (result.status !== 'written') continue;
    const text = await finishDemoDraft(result.file, deps.month);
    await approveDemoIssue({
      config,
      db: deps.server.services.database.db,
      clock: deps.clock,
      issueKey: result.issueKey,
      text,
    });
    drafted.push(await describeIssue(config.ISSUES_DIR, `${newsletterId}/${deps.month}`));
  }
  return drafted;
}

/**
 * Fallback when drafting is missing: copies the newest sample issue of each newsletter from the
 * checkout into the demo's issues folder, so the rest of the pipeline still runs.
 */
export async function copySampleIssues(
  sourceDir: string,
  issuesDir: string,
  newsletterIds: string[],
): Promise<DraftedIssue[]> {
  const drafted: DraftedIssue[] = [];
  for (const id of newsletterIds) {
    const months = (await readdir(path.join(sourceDir, id)))
      .filter((name) => /^\d{4}-\d{2}\.yaml$/.test(name))
      .sort();
    const newest = months.at(-1);
    if (newest === undefined) continue;
    await copyFile(path.join(sourceDir, id, newest), path.join(issuesDir, id, newest));
    drafted.push(await describeIssue(issuesDir, `${id}/${newest.replace('.yaml', '')}`));
  }
  return drafted;
}
