import { type Config, resolveSecretKeys } from '../config/index.ts';
import {
  type AuditRepository,
  createAuditRepository,
  createEditorRepository,
  createEditorSessionRepository,
  type Database,
  type DatabaseHandle,
} from '../db/index.ts';
import { createAccountService, createSessionService } from '../editors/index.ts';
import { AppError, type Clock, type Logger } from '../lib/index.ts';
import type { RedisClient } from '../queue/index.ts';
import { createTokenSigner, type RetentionPolicy } from '../subscribers/index.ts';
import { buildBounceServices, createCampaignBounceReport } from './build-bounces.ts';
import { buildDelivery, type Delivery } from './build-delivery.ts';
import { buildFeedServices } from './build-feeds.ts';
import { buildIssueLinksService, buildIssueReviewService } from './build-review.ts';
import { buildSubscriberService } from './subscriber-stores.ts';

/** What the composition root needs from an entry point. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: DatabaseHandle;
  /**
   * The queues' Redis connection, owned and closed by the caller. A function is called only when
   * a job is first enqueued (or `delivery.queues` read): commands that read campaigns never
   * open Redis. Without it, `delivery` can read and change campaigns but not enqueue.
   */
  redis?: RedisClient | (() => RedisClient);
}

/** The retention periods of the configuration. */
export function retentionPolicyOf(
  config: Pick<Config, 'RETENTION_PENDING_DAYS' | 'RETENTION_UNSUBSCRIBED_DAYS'>,
): RetentionPolicy {
  return {
    pendingDays: config.RETENTION_PENDING_DAYS,
    unsubscribedDays: config.RETENTION_UNSUBSCRIBED_DAYS,
  };
}

/** The editors' accounts and sign-in sessions (EDITOR_SESSION_* policy). */
function buildEditorServices(deps: {
  config: Pick<Config, 'EDITOR_SESSION_IDLE_MINUTES' | 'EDITOR_SESSION_MAX_HOURS'>;
  db: Database;
  clock: Clock;
  audit: AuditRepository;
}) {
  const { config, clock, audit } = deps;
  const editors = createEditorRepository(deps.db);
  const sessions = createEditorSessionRepository(deps.db);
  return {
    editors,
    accounts: createAccountService({ editors, sessions, audit, clock }),
    signIn: createSessionService({
      editors,
      sessions,
      audit,
      clock,
      policy: {
        idleMinutes: config.EDITOR_SESSION_IDLE_MINUTES,
        maxHours: config.EDITOR_SESSION_MAX_HOURS,
      },
    }),
  };
}

/** A value built on first use, then kept. */
function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/**
 * The one composition root: entry points (`cli/`, `workers/`, `app/serve-process.ts`) open the
 * process-level resources (database, Redis) and call this to wire every service over them. Each
 * service is built once, on first use, so a command pays only for what it touches. `close()`
 * closes the delivery queues if they were opened; the database and Redis stay the caller's.
 */
export function buildApp(deps: AppDeps) {
  const { config, logger, clock, database } = deps;
  const db = database.db;
  const subscribers = lazy(() => buildSubscriberService({ db, clock, logger }));
  const tokens = lazy(() => createTokenSigner(resolveSecretKeys(config)));
  const audit = lazy(() => createAuditRepository(db));
  const feeds = lazy(() => buildFeedServices({ config, db, logger, clock }));
  const issueLinks = lazy(() => buildIssueLinksService({ config, db, clock }));
  const review = lazy(() => buildIssueReviewService({ config, db, clock, links: issueLinks() }));
  const bounces = lazy(() => buildBounceServices({ config, db, logger, clock }));
  const bounceReport = lazy(() => createCampaignBounceReport(db));
  const editors = lazy(() => buildEditorServices({ config, clock, db, audit: audit() }));
  let delivery: Delivery | undefined;
  const openDelivery = () =>
    (delivery ??= buildDelivery({
      config,
      logger,
      clock,
      database,
      redis:
        deps.redis ??
        (() => {
          throw new AppError('ENOREDIS', 'This process has no Redis connection to enqueue jobs');
        }),
    }));
  return {
    config,
    logger,
    clock,
    database,
    get subscribers() {
      return subscribers();
    },
    get tokens() {
      return tokens();
    },
    /** The audit log of who did what. */
    get audit() {
      return audit();
    },
    /** Monitored feeds, triage and drafting. */
    get feeds() {
      return feeds();
    },
    /** Review and approval of issues; approval checks the issue's links. */
    get review() {
      return review();
    },
    get issueLinks() {
      return issueLinks();
    },
    /** Bounces, complaints and `mailto:` unsubscribes, with the VERP addresses. */
    get bounces() {
      return bounces();
    },
    /** Bounces and complaints of a campaign with their rates (`campaign status`). */
    get bounceReport() {
      return bounceReport();
    },
    /** Editors' accounts and sign-in. */
    get editors() {
      return editors();
    },
    /** Campaigns: the delivery service, the reader and (on first enqueue) the queues. */
    get delivery() {
      return openDelivery();
    },
    retention: retentionPolicyOf(config),
    async close() {
      await delivery?.close();
    },
  };
}

/** Every service of a process. */
export type App = ReturnType<typeof buildApp>;
