import { type Issue, loadIssue, type Newsletter } from '../../content/index.ts';
import { createNewsletterTesterRepository, type Database } from '../../db/index.ts';
import type { AuditStore, TesterStore } from '../../editors/index.ts';
import { type Clock, type Logger } from '../../lib/index.ts';
import { createPreviewService, type PreviewService } from '../../mail/index.ts';
import {
  createRecipientLinks,
  createTestSender,
  type MailTransport,
  type TestSender,
} from '../../mail/index.ts';
import { createRenderer, greetingFor } from '../../render/index.ts';
import type { TokenSigner } from '../../subscribers/index.ts';

/**
 * What the preview, test-send and testers pages need (`EditorWorkspaceDeps.preview`): the
 * preview service and the test sender (the campaign's message path), the testers of each
 * newsletter, the issue files, the audit log and the clock.
 */
export interface PreviewPagesDeps {
  preview: Pick<PreviewService, 'renderPreview'>;
  testSender: Pick<TestSender, 'sendIssue'>;
  testers: TesterStore;
  /** Reads and validates a saved issue file, `adn/2026-11` (content's `loadIssue`). */
  loadIssue: (key: string) => Promise<{ issue: Issue; newsletter: Newsletter }>;
  /** A newsletter's `newsletter.yaml`, validated (content's newsletter loader). */
  loadNewsletter: (id: string) => Promise<Newsletter>;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  /** Test sends one editor may ask for in 15 minutes (each up to 51 addresses × 2 languages). @defaultValue 20 */
  testSendsPer15Minutes?: number | undefined;
}

/** What {@link createPreviewPagesDeps} builds from. */
export interface PreviewPagesServices {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** ISSUES_DIR. */
  issuesDir: string;
  /** TEMPLATES_DIR. */
  templatesDir: string;
  /** PUBLIC_URL: the base of the test copies' links. */
  publicUrl: string;
  /** The subscribers' token signer (SECRET_KEY): the pseudo subscriber's links are signed. */
  signer: Pick<TokenSigner, 'sign'>;
  /** The SMTP transport test copies go through (SMTP_URL). */
  transport: MailTransport;
  /** UNSUBSCRIBE_MAILTO. */
  unsubscribeMailto?: string | undefined;
  /** The newsletter loader the workspace already has, if any. */
  loadNewsletter: (id: string) => Promise<Newsletter>;
  audit: Pick<AuditStore, 'append'>;
  /** See {@link PreviewPagesDeps.testSendsPer15Minutes}. */
  testSendsPer15Minutes?: number | undefined;
}

/**
 * Builds the preview pages' dependencies: one renderer (templates compiled once) shared by the
 * preview and the test sender, so both go through exactly the same rendering as a campaign.
 */
export function createPreviewPagesDeps(services: PreviewPagesServices): PreviewPagesDeps {
  const renderer = createRenderer({ templatesDir: services.templatesDir });
  const links = createRecipientLinks({ publicUrl: services.publicUrl, signer: services.signer });
  const load = (key: string) => loadIssue(services.issuesDir, key);
  return {
    preview: createPreviewService({ renderer, links, greetingFor }),
    testSender: createTestSender({
      loadIssue: load,
      renderer,
      links,
      greetingFor,
      transport: services.transport,
      logger: services.logger,
      unsubscribeMailto: services.unsubscribeMailto,
      now: () => services.clock.now(),
    }),
    testers: createNewsletterTesterRepository(services.db),
    loadIssue: load,
    loadNewsletter: services.loadNewsletter,
    audit: services.audit,
    clock: services.clock,
    testSendsPer15Minutes: services.testSendsPer15Minutes,
  };
}
