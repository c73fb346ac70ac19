import { userInfo } from 'node:os';
import path from 'node:path';

import { type ServeProcess, startServeProcess, waitForShutdownSignal } from '../../app/index.ts';
import { createDemoPipeline, type DemoSummary, runDemo } from '../../demo/index.ts';
import { commandLineActor } from '../../editors/index.ts';
import { createLogger, systemClock } from '../../lib/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

function summaryLines(summary: DemoSummary, cwd: string, isServing = false): string[] {
  const show = (file: string) => path.relative(cwd, file) || file;
  const lines = ['', 'Dépêche demo done.', ''];
  lines.push(
    `Feeds: ${summary.feeds.polled} polled, ${summary.feeds.candidates} candidates` +
      (summary.feeds.failed > 0 ? `, ${summary.feeds.failed} failed` : ''),
  );
  for (const campaign of summary.campaigns) {
    lines.push(
      `Campaign ${campaign.campaignId} (${campaign.newsletterId}): ${campaign.sent} sent, ${campaign.failed} failed`,
    );
  }
  lines.push('', 'Open:');
  for (const issue of summary.issues) {
    lines.push(`  issue ${issue.issueRef} (${issue.items} items)  ${show(issue.html)}`);
    lines.push(`    drafted from the feeds as  ${show(issue.file)}`);
  }
  lines.push(`  ${summary.mail.count} delivered messages in ${show(summary.mail.dir)}, e.g.`);
  for (const sample of summary.mail.samples) lines.push(`    ${show(sample)}`);
  for (const page of summary.archive) {
    lines.push(`  archive of ${page.newsletterId}  ${show(page.file)}`);
  }
  if (!isServing) {
    lines.push(
      '',
      `Editors' workspace: run \`depeche demo --serve\` and open the sign-in link it prints for ${DEMO_ADMIN_EMAIL}.`,
    );
  }
  if (summary.missing.length > 0) {
    lines.push('', 'Skipped, missing from this build:');
    for (const piece of summary.missing) lines.push(`  - ${piece}`);
  }
  return lines;
}

/** The demo's workspace account: an admin, made as `depeche editors add` would. */
export const DEMO_ADMIN_EMAIL = 'admin@example.org';

/**
 * `depeche demo`: the whole pipeline on this machine with nothing configured (see `runDemo`).
 * Progress goes to stderr, the summary to stdout; `--serve` keeps the pages up until Ctrl-C.
 */
export const registerDemoCommand: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description(
      'run the whole pipeline locally: feeds → issues → subscribers → campaigns → mail in out/demo',
    )
    .option(
      '--serve',
      "keep serving the pages (archive, subscription, editors' workspace) until Ctrl-C",
    )
    .option('--json', 'print the summary as JSON')
    .action(async (options: { serve?: boolean; json?: boolean }) => {
      const cwd = process.cwd();
      // The demo ignores DATABASE_URL and the rest of the environment on purpose: it builds its
      // own. Only REDIS_URL is honoured, and LOG_LEVEL (warnings by default, on stderr).
      const logger = createLogger({
        level: process.env.LOG_LEVEL ?? 'warn',
        isPretty: process.stderr.isTTY === true,
      });
      // Ctrl-C while it works: exit at once; the 'exit' hooks remove the temporary directory
      // and stop a private redis-server.
      const interrupt = () => {
        process.stderr.write('\nInterrupted.\n');
        process.exit(130);
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const stopInterrupting = () => {
        process.removeListener('SIGINT', interrupt);
        process.removeListener('SIGTERM', interrupt);
      };
      let demoServer: ServeProcess | undefined;
      const summary = await runDemo({
        rootDir: cwd,
        redisUrl: process.env.REDIS_URL,
        logger,
        now: () => systemClock.now(),
        progress: (line) => process.stderr.write(`${line}\n`),
        createPipeline: async (environment) => {
          const server = await startServeProcess({
            config: environment.config,
            logger,
            host: environment.config.HOST,
            port: environment.config.PORT,
            isRunningWorkers: true,
            // The demo polls once itself, step by step.
            isPollingFeeds: false,
            holder: 'depeche demo',
            isDemo: true,
          });
          demoServer = server;
          await server.services.editors.accounts.add(commandLineActor(userInfo().username), {
            email: DEMO_ADMIN_EMAIL,
            role: 'admin',
            name: 'Admin (démo)',
          });
          return createDemoPipeline({ environment, server, logger, clock: systemClock });
        },
        beforeClose: async (_pipeline, done) => {
          if (!options.serve) return;
          stopInterrupting();
          printResult(ctx, options.json, done, () => summaryLines(done, cwd, true));
          const url = done.archive[0]?.url ?? '';
          process.stderr.write(`\nServing the pages at ${url} — Ctrl-C to stop.\n`);
          if (demoServer) {
            // A link printed, not mailed: the demo's mail folder holds the campaigns only.
            const issued = await demoServer.services.editors.signIn.requestSignIn(DEMO_ADMIN_EMAIL);
            process.stderr.write(
              `\nEditors' workspace: ${demoServer.url}/editor — sign in as ${DEMO_ADMIN_EMAIL} with\n` +
                `  ${demoServer.url}/editor/sign-in/${issued?.token ?? ''}\n` +
                '  (valid 15 minutes, once; ask a new link on the sign-in page: it is printed here).\n',
            );
          }
          await waitForShutdownSignal({ logger });
        },
      });
      stopInterrupting();
      if (!options.serve) printResult(ctx, options.json, summary, () => summaryLines(summary, cwd));
    });
};
