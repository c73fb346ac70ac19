import os from 'node:os';
import path from 'node:path';

import type { Queue } from 'bullmq';

import { createInboxService } from '../compose/index.ts';
import type { Config } from '../config/index.ts';
import { createNewsletterLoader, loadIssue, type Newsletter } from '../content/index.ts';
import {
  createArchiveRepository,
  createAuditRepository,
  createEditorRepository,
  createEditorSessionRepository,
  createFeedHealthRepository,
  createInboxRepository,
  createNewsletterTesterRepository,
  createWorkspaceHomeRepository,
  type Database,
} from '../db/index.ts';
import { type AuditStore, createAccountService, createSessionService } from '../editors/index.ts';
import { type Clock, createSilentLogger, type Logger } from '../lib/index.ts';
import {
  createConfirmationMailer,
  createPreviewService,
  createRecipientLinks,
  createSignInMailer,
  createTestSender,
  type MailTransport,
} from '../mail/index.ts';
import { createRenderer, greetingFor } from '../render/index.ts';
import type { SubscriberService, TokenSigner } from '../subscribers/index.ts';
import {
  type CampaignDeps,
  createImportUploads,
  type EditorWorkspaceDeps,
  type PreviewPagesDeps,
} from '../web/editor/index.ts';
import type { WebDeps, WebNewsletter } from '../web/index.ts';
import { buildIssueFileService } from './build-issue-files.ts';
import { buildIssueLinksService, buildIssueReviewService } from './build-review.ts';
import { buildSubscriberService } from './subscriber-stores.ts';

/*
 * The web process's dependencies, built from its database, clock, configuration and queues:
 * the pages', the editors' workspace's and its preview pages'. Routes receive them ready.
 */

/** What {@link createWebDeps} wires together. */
export type WebServices = Omit<
  WebDeps,
  'subscribers' | 'tokens' | 'confirmationMailer' | 'archive'
> & {
  db: Database;
  subscribers: SubscriberService;
  tokens: TokenSigner;
  /** The BullMQ queue `transactional` (`TRANSACTIONAL_QUEUE`) the confirmations go through. */
  transactionalQueue: Pick<Queue, 'add'>;
  newsletters: readonly WebNewsletter[];
};

/**
 * Builds the pages' dependencies from the process's services: the subscriber service, the
 * archive queries, and the confirmation mailer on the `transactional`
 * queue. The serving process and the tests call it.
 */
export function createWebDeps(services: WebServices): WebDeps {
  const { db, transactionalQueue, ...rest } = services;
  return {
    ...rest,
    confirmationMailer: createConfirmationMailer({
      queue: transactionalQueue,
      clock: services.clock,
    }),
    archive: createArchiveRepository(db),
  };
}

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
  /** The subscriber service's and the preview's logger. @defaultValue silent */
  logger?: Logger | undefined;
  /** Where uploaded import files wait for their confirmation. @defaultValue `<os temp dir>/depeche-imports` */
  importUploadDir?: string | undefined;
  /** What the preview and test-send pages render and send with; those pages 404 without it. */
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
  // the link check at approval, on the feed poller's address policy
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
    subscribers: {
      service: buildSubscriberService({
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
    // the issue files the composer opens and saves (audited, committed on ISSUES_GIT_COMMIT)
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
