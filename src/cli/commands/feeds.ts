import type { App, FeedServices } from '../../app/index.ts';
import type { FeedHealthReport, FeedPollResult } from '../../feeds/index.ts';
import { type CliContext, printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

/** The feed services of one command (and the rest of its services), over the migrated database. */
export async function openFeedServices(
  ctx: CliContext,
  command: string,
): Promise<FeedServices & { app: App }> {
  const app = await ctx.app(`depeche ${command}`);
  return { ...app.feeds, app };
}

function pollLine(result: FeedPollResult): string {
  const where = `${result.newsletterId}  ${result.name}`;
  if (result.status === 'error') {
    return `  error         ${where}  ${result.error?.reason}: ${result.error?.message}`;
  }
  const moved = result.movedTo ? ` · moved to ${result.movedTo}` : '';
  if (result.status === 'not-modified') return `  not modified  ${where}${moved}`;
  const skipped = Object.entries(result.skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`);
  return (
    `  ok            ${where}  ${result.entries} entries, ${result.newCandidates} new` +
    (skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : '') +
    moved
  );
}

const day = (date: Date | null | undefined) => (date ? date.toISOString().slice(0, 10) : '—');

function healthLine(report: FeedHealthReport): string {
  const health = report.health;
  const parts = [`${report.state.padEnd(12)} ${report.newsletterId}  ${report.name}`];
  if (health) {
    parts.push(`last success ${day(health.lastSuccessAt)}`);
    parts.push(`last new item ${day(health.lastNewItemAt)}`);
    parts.push(`${health.itemsSeen} entries seen`);
    if (health.consecutiveFailures > 0) {
      parts.push(
        `${health.consecutiveFailures} failure(s) in a row, last: ${health.lastErrorReason}: ${health.lastError}`,
      );
    }
  }
  if (report.state === 'silent' && report.silentForDays !== null) {
    parts.push(
      `nothing new for ${Math.floor(report.silentForDays)} days (usual limit ${Math.round(report.thresholdDays)})`,
    );
  }
  if (report.movedTo) {
    parts.push(`moved to ${report.movedTo} (permanent redirect: update newsletter.yaml)`);
  }
  return parts.join(' · ');
}

/** `depeche feeds poll|health`. */
export const registerFeedsCommands: RegisterCommand = (program, ctx) => {
  const feeds = program.command('feeds').description('monitored feeds of the newsletters');

  feeds
    .command('poll')
    .description('fetch every monitored feed once and store new candidate items')
    .option('--newsletter <id>', 'only the feeds of this newsletter')
    .option('--json', 'print the result as JSON')
    .action(async (options: { newsletter?: string; json?: boolean }) => {
      const services = await openFeedServices(ctx, 'feeds poll');
      const report = await services.pollAll(options.newsletter);
      printResult(ctx, options.json, report, () => [
        `Polled ${report.totals.feeds} feeds: ${report.totals.newCandidates} new candidates, ` +
          `${report.totals.failed} failed.`,
        ...report.feeds.map(pollLine),
      ]);
      // A broken feed is recorded and reported; only a poll where every feed failed fails.
      if (report.totals.feeds > 0 && report.totals.failed === report.totals.feeds) {
        process.exitCode = 1;
      }
    });

  feeds
    .command('health')
    .description('show each feed’s last success, errors and rhythm; flag failing and silent feeds')
    .option('--newsletter <id>', 'only the feeds of this newsletter')
    .option('--json', 'print the result as JSON')
    .action(async (options: { newsletter?: string; json?: boolean }) => {
      const services = await openFeedServices(ctx, 'feeds health');
      const reports = await services.healthAll(options.newsletter);
      const flagged = reports.filter((r) => r.state === 'failing' || r.state === 'silent');
      const moved = reports.filter((r) => r.movedTo !== null);
      printResult(ctx, options.json, reports, () => [
        `${reports.length} feeds, ${flagged.length} failing or silent` +
          (moved.length > 0 ? `, ${moved.length} moved.` : '.'),
        ...reports.map(healthLine),
      ]);
      if (flagged.length > 0) process.exitCode = 1;
    });
};
