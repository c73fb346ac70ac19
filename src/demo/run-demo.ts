import { copyFile } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from '../lib/index.ts';
import { type DemoEnvironment, openDemoEnvironment } from './demo-environment.ts';
import { copySampleIssues, MissingPieceError } from './demo-feeds.ts';
import { splitSubscribers } from './demo-files.ts';
import type { DemoPipeline, DraftedIssue, RenderedIssueFiles } from './demo-pipeline.ts';

/** What the demo did and where to look, printed at the end (and as `--json`). */
export interface DemoSummary {
  redis: { url: string; isPrivate: boolean };
  feeds: { polled: number; failed: number; candidates: number };
  issues: Array<DraftedIssue & RenderedIssueFiles>;
  subscribers: Array<{ newsletterId: string; imported: number }>;
  campaigns: Array<{ newsletterId: string; campaignId: number; sent: number; failed: number }>;
  mail: { dir: string; count: number; samples: string[] };
  archive: Array<{ newsletterId: string; url: string; file: string }>;
  outDir: string;
  /** Steps skipped because their piece of the product is missing. */
  missing: string[];
}

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  rootDir: string;
  redisUrl?: string | undefined;
  logger: Logger;
  /** One progress line (the CLI writes it to stderr). */
  progress: (line: string) => void;
  now: () => Date;
  /** Builds the pipeline over the demo's environment (see `createDemoPipeline`). */
  createPipeline: (environment: DemoEnvironment) => Promise<DemoPipeline>;
  /** Called with the running pipeline before it closes, e.g. to keep serving pages. */
  beforeClose?: (pipeline: DemoPipeline, summary: DemoSummary) => Promise<void>;
}

/**
 * The whole pipeline on this machine with nothing configured: poll the sample feeds, draft an
 * issue of each newsletter from the candidates, import the sample subscribers, render, send both
 * campaigns through the BullMQ workers to the local sink, and render the archive pages.
 */
export async function runDemo(options: RunDemoOptions): Promise<DemoSummary> {
  const step = (n: number, text: string) => options.progress(`[${n}/7] ${text}`);
  step(1, 'Preparing a fresh environment (embedded database, Redis, mail sink, feed server)…');
  const environment = await openDemoEnvironment({
    rootDir: options.rootDir,
    redisUrl: options.redisUrl,
    now: options.now,
  });
  let pipeline: DemoPipeline | undefined;
  try {
    const { redis, mailSink } = environment;
    options.progress(
      `      Redis ${redis.isPrivate ? 'started privately' : 'found'} at ${redis.url}; ` +
        `mail goes to ${path.relative(options.rootDir, environment.mailDir) || '.'}`,
    );
    const active = await options.createPipeline(environment);
    pipeline = active;

    const missing: string[] = [];
    const orMissing = async <T>(work: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof MissingPieceError)) throw error;
        missing.push(error.piece);
        options.progress(`      skipped: ${error.message}`);
        return fallback();
      }
    };

    step(2, `Polling the sample feeds of ${environment.newsletterIds.join(', ')}…`);
    const feeds = await orMissing(
      () => active.pollFeeds(),
      async () => ({ polled: 0, failed: 0, candidates: 0 }),
    );
    options.progress(
      `      ${feeds.polled} feeds polled, ${feeds.failed} failed, ${feeds.candidates} candidates`,
    );

    const month = options.now().toISOString().slice(0, 7);
    step(3, `Drafting the ${month} issue of each newsletter from the candidates…`);
    const drafted = await orMissing(
      () => active.draftIssues(environment.newsletterIds, month),
      async () => {
        options.progress('      using the sample issues of the repository instead');
        return copySampleIssues(
          path.join(options.rootDir, 'issues'),
          environment.config.ISSUES_DIR,
          environment.newsletterIds,
        );
      },
    );
    for (const issue of drafted) {
      // The drafted file lives in the temporary issues folder: keep a copy to read.
      const copy = path.join(environment.outDir, `${issue.issueRef.replace('/', '-')}.yaml`);
      await copyFile(issue.file, copy);
      issue.file = copy;
      options.progress(
        `      ${issue.issueRef}: ${issue.items} items → ${path.relative(options.rootDir, copy)}`,
      );
    }

    step(4, 'Importing the sample subscribers…');
    const lists = await splitSubscribers(
      path.join(options.rootDir, 'demo', 'subscribers.csv'),
      path.join(environment.workDir, 'subscribers'),
      environment.newsletterIds,
    );
    const subscribers = [];
    for (const list of lists) {
      const imported = await active.importSubscribers(list);
      subscribers.push({ newsletterId: list.newsletterId, imported });
      options.progress(`      ${list.newsletterId}: ${imported} subscribers`);
    }

    step(5, 'Rendering the issues…');
    const issues = [];
    for (const issue of drafted) {
      const files = await active.renderIssue(issue, environment.outDir);
      issues.push({ ...issue, ...files });
      options.progress(`      ${path.relative(options.rootDir, files.html)}`);
    }

    step(6, 'Sending both campaigns through the workers…');
    const campaigns = [];
    for (const issue of drafted) {
      const result = await active.sendIssue(issue, (line) => options.progress(`      ${line}`));
      campaigns.push({ newsletterId: issue.newsletterId, ...result });
    }

    step(7, 'Rendering the archive pages…');
    const archive = await orMissing(
      () => active.archivePages(environment.newsletterIds, environment.outDir),
      async () => [],
    );
    for (const page of archive) options.progress(`      ${page.url}`);

    const files = mailSink.files();
    const summary: DemoSummary = {
      redis: { url: redis.url, isPrivate: redis.isPrivate },
      feeds,
      issues,
      subscribers,
      campaigns,
      mail: { dir: environment.mailDir, count: files.length, samples: files.slice(0, 3) },
      archive,
      outDir: environment.outDir,
      missing,
    };
    await options.beforeClose?.(active, summary);
    return summary;
  } finally {
    await pipeline?.close().catch((error: unknown) => {
      options.logger.warn({ err: error }, 'demo pipeline did not close cleanly');
    });
    await environment.close();
  }
}
