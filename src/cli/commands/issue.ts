import { userInfo } from 'node:os';

import { commandLineActor } from '../../editors/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';
import { openFeedServices } from './feeds.ts';
import { currentHashOf, registerIssueReviewCommands } from './issue-review.ts';

/**
 * `depeche issue new NEWSLETTER --month YYYY-MM [--from-candidates]`, and the review commands
 * `issue status|submit|approve|return ISSUE`.
 */
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
        if (result.status !== 'nothing-new') {
          // The new file is a draft whose last changer is whoever ran the command.
          await services.app.review.recordSave(
            `${newsletterId}/${options.month}`,
            await currentHashOf(result.file),
            commandLineActor(userInfo().username),
          );
        }
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

  registerIssueReviewCommands(issue, ctx);
};
