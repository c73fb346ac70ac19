import os from 'node:os';
import path from 'node:path';

import type { Queue } from 'bullmq';

import { buildIssueFileService } from '../../build-issue-files.ts';
import { buildIssueLinksService, buildIssueReviewService } from '../../build-review.ts';
import { createInboxService } from '../../compose/index.ts';
import type { Config } from '../../config/index.ts';
import { createNewsletterLoader } from '../../content/index.ts';
import {
  createAuditRepository,
  createEditorRepository,
  createEditorSessionRepository,
  createFeedHealthRepository,
  createInboxRepository,
  createWorkspaceHomeRepository,
  type Database,
} from '../../db/index.ts';
import { createAccountService, createSessionService } from '../../editors/index.ts';
import { type Clock, createSilentLogger, type Logger } from '../../lib/index.ts';
import { createSignInMailer } from '../../mail/index.ts';
import { createSubscriberService } from '../../subscribers/index.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import type { EditorWorkspaceDeps } from './editor-deps.ts';
import { createImportUploads } from './import-uploads.ts';
import { createPreviewPagesDeps, type PreviewPagesServices } from './preview-deps.ts';

/** What {@link createEditorWorkspaceDeps} wires together. */
export interface EditorWorkspaceServices {
  db: Database;
  clock: Clock;
  config: Pick<
    Config,
    'EDITOR_SESSION_IDLE_MINUTES' | 'EDITOR_SESSION_MAX_HOURS' | 'DEPECHE_ENV' | 'ISSUES_DIR'
  > &
    Partial<
      Pick<
        Config,
        | 'INBOX_NEW_MAX_DAYS'
        | 'REVIEW_REQUIRE_OTHER_APPROVER'
        | 'FEED_TIMEOUT_MS'
        | 'FEED_ALLOW_PRIVATE_ADDRESSES'
        | 'ISSUES_GIT_COMMIT'
      >
    >;
  /** The queues of the admins' dashboard at `/editor/queues`; no dashboard without them. */
  queues?: readonly Queue[];
  /** The `transactional` queue the sign-in links go through. */
  transactionalQueue: Pick<Queue, 'add'>;
  /** Print sign-in links on the console even in production (`depeche demo`). @defaultValue false */
  isDemo?: boolean;
  printLine?: (line: string) => void;
  /** The campaign pages' services (the process's delivery service and reader). */
  campaigns?: CampaignDeps;
  // subscribers helper: the subscriber service's logger, and where uploaded import files wait.
  logger?: Logger | undefined;
  /** @defaultValue `<os temp dir>/depeche-imports` */
  importUploadDir?: string | undefined;
  // preview helper: what the preview and test-send pages render and send with; none without it.
  preview?: Pick<
    PreviewPagesServices,
    | 'templatesDir'
    | 'publicUrl'
    | 'signer'
    | 'transport'
    | 'unsubscribeMailto'
    | 'testSendsPer15Minutes'
  >;
}

/**
 * Builds the workspace's dependencies from the process's database, clock, configuration and
 * queue: the editors' stores and services, the sign-in mailer. Entry points and tests call it.
 */
export function createEditorWorkspaceDeps(services: EditorWorkspaceServices): EditorWorkspaceDeps {
  const { db, clock, config } = services;
  const editors = createEditorRepository(db);
  const sessions = createEditorSessionRepository(db);
  const loadNewsletter = createNewsletterLoader(config.ISSUES_DIR);
  const audit = createAuditRepository(db);
  // links helper: the link check at approval, on the feed poller's address policy.
  const links = buildIssueLinksService({
    config: {
      ISSUES_DIR: config.ISSUES_DIR,
      FEED_TIMEOUT_MS: config.FEED_TIMEOUT_MS ?? 15_000,
      FEED_ALLOW_PRIVATE_ADDRESSES: config.FEED_ALLOW_PRIVATE_ADDRESSES ?? false,
    },
    db,
    clock,
  });
  const sessionPolicy = {
    idleMinutes: config.EDITOR_SESSION_IDLE_MINUTES,
    maxHours: config.EDITOR_SESSION_MAX_HOURS,
  };
  return {
    sessions: createSessionService({ editors, sessions, audit, clock, policy: sessionPolicy }),
    accounts: createAccountService({ editors, sessions, audit, clock }),
    audit,
    editors,
    signInMailer: createSignInMailer({ queue: services.transactionalQueue, clock }),
    sessionPolicy,
    isPrintingSignInLinks: (services.isDemo ?? false) || config.DEPECHE_ENV !== 'production',
    printLine: services.printLine,
    home: createWorkspaceHomeRepository(db),
    feedHealth: createFeedHealthRepository(db),
    clock,
    queues: services.queues,
    db,
    issuesDir: config.ISSUES_DIR,
    review: buildIssueReviewService({
      config: { REVIEW_REQUIRE_OTHER_APPROVER: config.REVIEW_REQUIRE_OTHER_APPROVER ?? true },
      db,
      clock,
      links,
    }),
    campaigns: services.campaigns,
    inbox: createInboxService({
      store: createInboxRepository(db),
      loadNewsletter,
      clock,
      newMaxDays: config.INBOX_NEW_MAX_DAYS ?? 45,
    }),
    // subscribers helper:
    subscribers: {
      service: createSubscriberService({
        db,
        clock,
        logger: services.logger ?? createSilentLogger(),
      }),
      audit,
      clock,
      uploads: createImportUploads(
        services.importUploadDir ?? path.join(os.tmpdir(), 'depeche-imports'),
        clock,
      ),
    },
    // preview helper:
    preview:
      services.preview === undefined
        ? undefined
        : createPreviewPagesDeps({
            ...services.preview,
            db,
            clock,
            logger: services.logger ?? createSilentLogger(),
            issuesDir: config.ISSUES_DIR,
            loadNewsletter,
            audit,
          }),
    links,
    // composer helper: the issue files it opens and saves (audited, committed on ISSUES_GIT_COMMIT)
    issueFiles: buildIssueFileService({
      config: {
        ISSUES_DIR: config.ISSUES_DIR,
        ISSUES_GIT_COMMIT: config.ISSUES_GIT_COMMIT ?? false,
      },
      db,
      logger: services.logger ?? createSilentLogger(),
      clock,
    }),
    loadNewsletter,
  };
}
