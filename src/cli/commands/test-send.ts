import { userInfo } from 'node:os';

import { resolveSecretKeys } from '../../config/index.ts';
import { loadIssue } from '../../content/index.ts';
import { createAuditRepository, migrate, openDatabaseFromConfig } from '../../db/index.ts';
import { commandLineActor } from '../../editors/index.ts';
import { systemClock, ValidationError } from '../../lib/index.ts';
import {
  createRecipientLinks,
  createSmtpTransport,
  createTestSender,
  smtpTransportOptionsFromConfig,
  TestSendRequestSchema,
} from '../../mail/index.ts';
import { createRenderer, greetingFor } from '../../render/index.ts';
import { createTokenSigner } from '../../subscribers/index.ts';
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
      const config = ctx.config();
      const logger = ctx.logger();
      const transport = createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
      ctx.onClose(() => transport.close?.());
      const sender = createTestSender({
        loadIssue: (issueRef) => loadIssue(config.ISSUES_DIR, issueRef),
        renderer: createRenderer({ templatesDir: config.TEMPLATES_DIR }),
        links: createRecipientLinks({
          publicUrl: config.PUBLIC_URL,
          signer: createTokenSigner(resolveSecretKeys(config)),
        }),
        greetingFor,
        transport,
        logger,
        unsubscribeMailto: config.UNSUBSCRIBE_MAILTO,
        now: () => new Date(),
      });
      const result = await sender.send(request.data);
      const database = await openDatabaseFromConfig(config, 'depeche test-send');
      ctx.onClose(() => database.close());
      await migrate(database);
      await createAuditRepository(database.db).append(
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
