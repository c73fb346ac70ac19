import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';
import { openFeedServices } from './feeds.ts';

/** `depeche issue new NEWSLETTER --month YYYY-MM [--from-candidates]`. */
export const registerIssueCommands: RegisterCommand = (program, ctx) => {
  const issue = program.command('issue').description('issue files');

  issue
    .command('new')
    .description('draft issues/<newsletter>/<YYYY-MM>.yaml (never overwrites a file)')
    .argument('<newsletter>', 'newsletter id')
    .requiredOption('--month <YYYY-MM>', 'month of the issue')
    .option('--from-candidates', 'fill it with the picked candidates not used by an earlier issue')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        newsletterId: string,
        options: { month: string; fromCandidates?: boolean; json?: boolean },
      ) => {
        const services = await openFeedServices(ctx, 'issue new');
        const result = await services.compose.draftIssue({
          newsletterId,
          month: options.month,
          fromCandidates: options.fromCandidates === true,
        });
        printResult(ctx, options.json, result, () =>
          result.status === 'nothing-new'
            ? [
                `Nothing new for ${result.newsletterId}: no picked candidate left unused ` +
                  `(pick some with \`depeche candidates pick\`). Nothing written.`,
              ]
            : [
                `Wrote ${result.file}: issue n° ${result.number} of ${result.date}, ` +
                  `${result.items} item(s).`,
                'Replace the « À compléter » texts, review the items, then run `depeche check`.',
              ],
        );
      },
    );
};
