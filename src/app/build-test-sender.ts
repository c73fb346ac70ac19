import { type Config, resolveSecretKeys } from '../config/index.ts';
import { loadIssue } from '../content/index.ts';
import type { Logger } from '../lib/index.ts';
import {
  createRecipientLinks,
  createSmtpTransport,
  createTestSender,
  smtpTransportOptionsFromConfig,
} from '../mail/index.ts';
import { createRenderer, greetingFor } from '../render/index.ts';
import { createTokenSigner } from '../subscribers/index.ts';
import type { ResourceStack } from './resource-stack.ts';

/**
 * Wires `depeche test-send`: the issue files of ISSUES_DIR rendered as a campaign would be,
 * with signed links, over an SMTP pool of its own (closed with `stack`). It needs no database,
 * so a copy goes out even before the audit log is reached.
 */
export function buildTestSender(
  stack: ResourceStack,
  deps: { config: Config; logger: Logger; now?: () => Date },
) {
  const { config, logger } = deps;
  const transport = createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
  stack.defer('test-send-smtp', () => transport.close?.());
  return createTestSender({
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
    now: deps.now ?? (() => new Date()),
  });
}
