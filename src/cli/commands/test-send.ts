import { userInfo } from 'node:os';

import { buildTestSender } from '../../app/index.ts';
import { commandLineActor } from '../../editors/index.ts';
import { systemClock, ValidationError } from '../../lib/index.ts';
import { TestSendRequestSchema } from '../../mail/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

interface TestSendOptions {
  to: string[];
  lang?: string;
  json?: boolean;
}

/**
 * `depeche test-send ISSUE --to EMAIL… [--lang fr|en]`: sends one marked copy (`[TEST] ` subject)
 * to each editor through the campaign path, touching no campaign; the send is recorded in the
 * audit log (`issue.test-send`, the command line as actor), as the workspace records its own.
 * Exit code 1 when a copy was refused.
 */
export const registerTestSendCommand: RegisterCommand = (program, ctx) => {
  program
    .command('test-send')
    .description(
      'send a marked test copy of an issue to editors (no campaign; recorded in the audit log)',
    )
    .argument('<issue>', "issue file path or '<newsletter>/<YYYY-MM>' (e.g. adn/2026-11)")
    .requiredOption('--to <email...>', 'address(es) to send the test copy to')
    .option('--lang <lang>', "language of the copy: 'fr' or 'en' (default: the newsletter's)")
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: TestSendOptions) => {
      const request = TestSendRequestSchema.safeParse({
        issueRef: ref,
        to: options.to,
        locale: options.lang,
      });
      if (!request.success) {
        const problem = request.error.issues[0];
        const field = problem?.path[0] === 'locale' ? '--lang' : '--to';
        throw new ValidationError(`${field}: ${problem?.message ?? 'invalid value'}`);
      }
      const sender = buildTestSender(ctx, { config: ctx.config(), logger: ctx.logger() });
      const result = await sender.send(request.data);
      const { audit } = await ctx.app('depeche test-send');
      await audit.append(
        {
          actor: commandLineActor(userInfo().username),
          action: 'issue.test-send',
          objectType: 'issue',
          objectId: result.issueKey,
          details: {
            locale: result.locale,
            to: result.outcomes.map((outcome) => outcome.to),
            refused: result.outcomes.filter((outcome) => !outcome.isSubmitted).length,
          },
        },
        systemClock.now(),
      );
      if (result.outcomes.some((outcome) => !outcome.isSubmitted)) process.exitCode = 1;
      printResult(ctx, options.json, result, () => [
        `${result.issueKey} (${result.locale}): ${result.subject}`,
        ...result.outcomes.map((outcome) =>
          outcome.isSubmitted
            ? `submitted to ${outcome.to}: ${outcome.response}`
            : `refused for ${outcome.to} (${outcome.failure.kind}): ${outcome.failure.reply}`,
        ),
      ]);
    });
};
