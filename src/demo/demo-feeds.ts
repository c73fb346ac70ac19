import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { Config } from '../config/index.ts';
import { loadIssue } from '../content/index.ts';
import { AppError, type Clock, type Logger } from '../lib/index.ts';
import type { ServeProcess } from '../web/serve-process.ts';
import type { DraftedIssue } from './demo-pipeline.ts';

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

/** Polls every feed of the demo's newsletters (the local sample feeds). */
export async function pollDemoFeeds(
  _deps: DemoFeedsDeps,
): Promise<{ polled: number; failed: number; candidates: number }> {
  throw new MissingPieceError('Feed polling (createFeedService wiring)');
}

/** Reads a drafted (or copied) issue file back: its reference, item count and titles. */
export async function describeIssue(issuesDir: string, issueRef: string): Promise<DraftedIssue> {
  const { issue, file } = await loadIssue(issuesDir, issueRef);
  const titles = issue.sections.flatMap((section) => section.items.map((item) => item.title));
  return { newsletterId: issue.newsletter, issueRef, file, items: titles.length, titles };
}

/**
 * Drafts the `month` issue of each newsletter from the picked candidates, as
 * `depeche issue new NEWSLETTER --month M --from-candidates` does.
 */
export async function draftDemoIssues(
  _deps: DemoFeedsDeps & { newsletterIds: string[]; month: string },
): Promise<DraftedIssue[]> {
  throw new MissingPieceError('Drafting issues from candidates (compose)');
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
