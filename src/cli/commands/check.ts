import { InvalidArgumentError } from 'commander';

import { createLinkChecker, formatProblem, runCheck } from '../../content/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

interface CheckOptions {
  json?: boolean;
  links?: boolean;
  timeout: number;
  concurrency: number;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  }
  return parsed;
}

/** `depeche check [PATH…] [--links] [--json]`: validates newsletter and issue files. */
export const registerCheckCommand: RegisterCommand = (program, ctx) => {
  program
    .command('check')
    .description(
      'validate newsletter and issue files (default: every file under ISSUES_DIR); exit 1 on any problem',
    )
    .argument('[paths...]', 'files or directories to check')
    .option('--links', 'also request every link and report those that fail')
    .option(
      '--timeout <ms>',
      'time allowed per link request, with --links',
      positiveInteger,
      10_000,
    )
    .option('--concurrency <n>', 'links requested at once, with --links', positiveInteger, 8)
    .option('--json', 'print the files checked and the problems as JSON')
    .action(async (paths: string[], options: CheckOptions) => {
      const linkChecker = options.links
        ? createLinkChecker({
            fetch: globalThis.fetch,
            concurrency: options.concurrency,
            timeoutMs: options.timeout,
            userAgent: 'Depeche-LinkCheck/0.1 (newsletter link checker)',
          })
        : undefined;
      const report = await runCheck(paths, {
        issuesDir: ctx.config().ISSUES_DIR,
        ...(linkChecker ? { linkChecker } : {}),
      });
      printResult(ctx, options.json, report, () => {
        const count = report.files.length === 1 ? '1 file' : `${report.files.length} files`;
        if (report.problems.length === 0) return [`${count} checked, no problems.`];
        const files = new Set(report.problems.map((problem) => problem.file)).size;
        const problems =
          report.problems.length === 1 ? '1 problem' : `${report.problems.length} problems`;
        return [...report.problems.map(formatProblem), `${problems} in ${files} of ${count}.`];
      });
      if (report.problems.length > 0) process.exitCode = 1;
    });
};
