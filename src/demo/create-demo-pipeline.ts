import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ServeProcess } from '../app/index.ts';
import { loadIssue } from '../content/index.ts';
import { AppError, type Clock, type Logger } from '../lib/index.ts';
import {
  compilePersonalization,
  createRenderer,
  personalize,
  previewValues,
} from '../render/index.ts';
import type { DemoEnvironment } from './demo-environment.ts';
import { draftDemoIssues, pollDemoFeeds } from './demo-feeds.ts';
import type { DemoPipeline, DraftedIssue } from './demo-pipeline.ts';

/** How long the demo waits for a campaign before giving up. */
const sendTimeoutMs = 5 * 60_000;

/** Options of {@link createDemoPipeline}. */
export interface DemoPipelineOptions {
  environment: DemoEnvironment;
  /** `depeche serve` running over the demo's environment, workers included. */
  server: ServeProcess;
  logger: Logger;
  clock: Clock;
}

/**
 * The demo's product steps over a running `depeche serve` (embedded PGlite, workers in the same
 * process): every step goes through the services' public APIs, as the commands do.
 */
export function createDemoPipeline(options: DemoPipelineOptions): DemoPipeline {
  const { environment, server } = options;
  const { config } = environment;
  const renderer = createRenderer({ templatesDir: config.TEMPLATES_DIR });
  const delivery = server.delivery.service;

  return {
    pollFeeds: () =>
      pollDemoFeeds({ config, server, logger: options.logger, clock: options.clock }),

    draftIssues: (newsletterIds, month) =>
      draftDemoIssues({
        config,
        server,
        newsletterIds,
        month,
        logger: options.logger,
        clock: options.clock,
      }),

    async importSubscribers(list) {
      const summary = await server.services.subscribers.importCsv(createReadStream(list.file), {
        newsletterId: list.newsletterId,
        isConfirmed: true,
        fileName: path.basename(list.file),
      });
      if (summary.invalid > 0) {
        throw new AppError(
          'EDEMO',
          `The sample subscribers of ${list.newsletterId} have ${summary.invalid} invalid rows: ` +
            summary.invalidRows.map((row) => `line ${row.line}: ${row.reason}`).join('; '),
        );
      }
      return summary.created + summary.updated + summary.unchanged;
    },

    async renderIssue(issue, outDir) {
      const { issue: loaded, newsletter } = await loadIssue(config.ISSUES_DIR, issue.issueRef);
      const rendered = await renderer.renderIssue(loaded, newsletter, newsletter.language);
      const body = personalize(
        compilePersonalization(rendered),
        previewValues(newsletter.language, config.PUBLIC_URL),
      );
      await mkdir(outDir, { recursive: true });
      const base = path.join(outDir, rendered.issueKey.replace('/', '-'));
      await writeFile(`${base}.html`, body.html);
      await writeFile(`${base}.txt`, body.text);
      return { html: `${base}.html`, text: `${base}.txt` };
    },

    async sendIssue(issue: DraftedIssue, progress) {
      const { campaign, audienceCount } = await delivery.create({
        issueRef: issue.issueRef,
        segment: {},
      });
      progress(`${issue.issueRef}: campaign ${campaign.id} to ${audienceCount} subscribers`);
      await delivery.send(campaign.id);
      const deadline = Date.now() + sendTimeoutMs;
      let last = '';
      for (;;) {
        const state = await delivery.progress(campaign.id);
        const { counts } = state;
        const line = `${issue.issueRef}: ${state.campaign.status}, ${counts.sent} sent, ${counts.failed} failed, ${state.remaining} remaining`;
        if (line !== last) progress(line);
        last = line;
        if (['done', 'cancelled', 'paused'].includes(state.campaign.status)) {
          if (state.campaign.status !== 'done') {
            throw new AppError(
              'EDEMO',
              `Campaign ${campaign.id} (${issue.issueRef}) stopped as ${state.campaign.status}: ${state.campaign.statusReason ?? 'no reason given'}`,
            );
          }
          return { campaignId: campaign.id, sent: counts.sent, failed: counts.failed };
        }
        if (Date.now() > deadline) {
          throw new AppError(
            'EDEMO',
            `Campaign ${campaign.id} (${issue.issueRef}) did not finish in time.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },

    async archivePages(newsletterIds, outDir) {
      const pages = [];
      for (const newsletterId of newsletterIds) {
        const url = `${server.url}/archive/${newsletterId}`;
        const response = await fetch(url);
        if (!response.ok) {
          throw new AppError('EDEMO', `The archive page ${url} answered ${response.status}.`);
        }
        const file = path.join(outDir, `archive-${newsletterId}.html`);
        await writeFile(file, await response.text());
        pages.push({ newsletterId, url, file });
      }
      return pages;
    },

    close: () => server.close(),
  };
}
