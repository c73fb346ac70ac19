import { userInfo } from 'node:os';

import { buildSubscriberService } from './app/subscriber-stores.ts';
import { verpFromConfig } from './build-bounces.ts';
import { startFeedPollingRuntime } from './build-feeds.ts';
import { buildIssueReviewService } from './build-review.ts';
import { buildServices } from './build-services.ts';
import {
  createCampaignReader,
  createCampaignService,
  createIssuePreparer,
} from './campaigns/index.ts';
import { type Config, resolveSecretKeys } from './config/index.ts';
import { loadIssue, loadNewsletters } from './content/index.ts';
import {
  createAudienceRepository,
  createCampaignProgressRepository,
  createCampaignRepository,
  createDeliveryRepository,
  createEditorRepository,
  type DatabaseHandle,
  migrate,
  openDatabaseFromConfig,
} from './db/index.ts';
import { type AuditActor, commandLineActor } from './editors/index.ts';
import type { Clock, Logger } from './lib/index.ts';
import {
  createRecipientLinks,
  createSmtpTransport,
  type MailTransport,
  smtpTransportOptionsFromConfig,
} from './mail/index.ts';
import {
  closeRedisConnection,
  createDeliveryQueues,
  createQueueEnqueuer,
  createRedisConnection,
  createRedisRateLimiter,
  type DeliveryQueues,
  type RedisClient,
  startConfirmationWorker,
  startDeliveryWorkers,
  startRetentionSchedule,
} from './queue/index.ts';
import { createRenderer, greetingFor } from './render/index.ts';
import { createBatchSender, createCampaignMessages } from './sending/index.ts';
import { createTokenSigner, type RetentionPolicy } from './subscribers/index.ts';

/** The actor of what this process does on its own: its operating-system user. */
function processActor(): AuditActor {
  let name = 'depeche';
  try {
    name = userInfo().username;
  } catch {
    // A container user with no passwd entry has no name.
  }
  return commandLineActor(name);
}

/** What the delivery wiring needs from an entry point. */
export interface DeliveryDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: DatabaseHandle;
  /** A connection from `createRedisConnection` (owned and closed by the caller). */
  redis: RedisClient;
}

/**
 * Wires campaigns: repositories, queues, the delivery service (the actions of `depeche campaign …`
 * and of the workspace) and the campaign reader (what both show).
 * `close()` closes the queues, not the database or Redis connection it was given. Given a
 * function for `redis`, the queues are opened (and the function called) only when a job is
 * enqueued or `queues` read: the commands that only read campaigns never touch Redis.
 */
export function buildDelivery(
  deps: Omit<DeliveryDeps, 'redis'> & { redis: DeliveryDeps['redis'] | (() => RedisClient) },
) {
  const { config, redis } = deps;
  const db = deps.database.db;
  const campaigns = createCampaignRepository();
  const deliveries = createDeliveryRepository();
  let opened: DeliveryQueues | undefined;
  const openQueues = () =>
    (opened ??= createDeliveryQueues(
      typeof redis === 'function' ? redis() : redis,
      config.QUEUE_PREFIX,
      { attempts: config.SEND_ATTEMPTS, retryDelayMs: config.SEND_RETRY_DELAY_MS },
    ));
  if (typeof redis !== 'function') openQueues();
  const renderer = createRenderer({ templatesDir: config.TEMPLATES_DIR });
  const audience = createAudienceRepository();
  const review = buildIssueReviewService({ config, db, clock: deps.clock });
  const service = createCampaignService({
    db,
    campaigns,
    deliveries,
    audience,
    enqueue: createQueueEnqueuer(openQueues),
    prepareIssue: createIssuePreparer({
      loadIssue: (ref) => loadIssue(config.ISSUES_DIR, ref),
      renderIssue: (issue, newsletter, locale, options) =>
        renderer.renderIssue(issue, newsletter, locale, options),
    }),
    approvalOf: (issueKey, contentHash) => review.approvalOf(issueKey, contentHash),
    logger: deps.logger,
    clock: deps.clock,
    batchSize: config.SEND_BATCH_SIZE,
    idleRekickMs: config.CAMPAIGN_REKICK_AFTER_SEC * 1000,
    // The issue is recorded as sent by this process's OS user; the campaign.send entry of the
    // command or the workspace names who started it.
    onSendingStarted: (campaign) =>
      review.markSent(campaign.issueKey, campaign.id, processActor()).then(() => undefined),
  });
  const reader = createCampaignReader({
    db,
    campaigns,
    deliveries,
    audience,
    progress: createCampaignProgressRepository(),
  });
  return {
    service,
    reader,
    get queues() {
      return openQueues();
    },
    campaigns,
    deliveries,
    close: async () => {
      await opened?.close();
    },
  };
}

/** See {@link buildDelivery}. */
export type Delivery = ReturnType<typeof buildDelivery>;

/**
 * Starts the delivery workers of this process (fan-out, send, scheduler) on top of
 * {@link buildDelivery}: SMTP transport, signed links, hard-bounce suppression and the shared
 * Redis rate limit. `depeche worker` (and `depeche serve` on the embedded database) call it.
 * `close()` stops taking jobs, lets the jobs in flight finish, then closes the SMTP pool.
 */
export async function startDeliveryRuntime(deps: DeliveryDeps & { transport?: MailTransport }) {
  const { config, logger, clock } = deps;
  const db = deps.database.db;
  const delivery = buildDelivery(deps);
  const transport =
    deps.transport ?? createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
  const signer = createTokenSigner(resolveSecretKeys(config));
  const verp = verpFromConfig(config);
  const subscribers = buildSubscriberService({ db, clock, logger });
  const sender = createBatchSender({
    db,
    campaigns: delivery.campaigns,
    deliveries: delivery.deliveries,
    messages: createCampaignMessages((id) => delivery.campaigns.findBodies(db, id), {
      unsubscribeMailto: config.UNSUBSCRIBE_MAILTO,
    }),
    links: createRecipientLinks({ publicUrl: config.PUBLIC_URL, signer }),
    greetingFor,
    suppress: async (email, detail) => {
      await subscribers.suppress(email, 'hard_bounce', detail);
    },
    transport,
    returnPathFor: verp?.returnPathFor,
    rateLimiter: createRedisRateLimiter(deps.redis, {
      key: `${config.QUEUE_PREFIX}:send-rate`,
      perSecond: config.SEND_RATE_PER_SECOND,
      perHour: config.SEND_RATE_PER_HOUR,
    }),
    logger,
    clock,
    options: {
      maxErrorRate: config.SEND_MAX_ERROR_RATE,
      // lanes waiting for their database round trip leave the connections work to do
      maxInFlight: 8 * config.SMTP_POOL_SIZE,
      maxSendingBatches: config.SEND_CONCURRENCY,
    },
  });
  const workers = await startDeliveryWorkers({
    connection: deps.redis,
    prefix: config.QUEUE_PREFIX,
    queues: delivery.queues,
    delivery: delivery.service,
    sender,
    logger,
    concurrency: config.SEND_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    schedulerEveryMs: config.CAMPAIGN_SWEEP_EVERY_SEC * 1000,
  });
  return {
    delivery,
    workers,
    async close() {
      await workers.close();
      await transport.close?.();
      await delivery.close();
    },
  };
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

/**
 * What `depeche worker` and `workers/send-batch.ts` run: opens and migrates the database, opens
 * Redis and starts {@link startDeliveryRuntime}, the worker of confirmation messages and the
 * scheduled feed polling. Any number of such processes may share one Redis and one PostgreSQL
 * (embedded PGlite serves one process only).
 */
export async function startWorkerProcess(options: {
  config: Config;
  logger: Logger;
  clock: Clock;
  holder?: string;
}) {
  const { config, logger, clock } = options;
  const database = await openDatabaseFromConfig(config, options.holder ?? 'depeche worker');
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const close = async () => {
    for (const closeOne of closers.reverse()) {
      await closeOne().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
    }
    closers.length = 0;
  };
  try {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const redis = createRedisConnection(config.redis, 'depeche-worker');
    redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
    closers.push(() => closeRedisConnection(redis));
    const transport = createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
    // The delivery runtime closes the SMTP pool, after the other workers (closed first).
    const runtime = await startDeliveryRuntime({ ...options, database, redis, transport });
    closers.push(() => runtime.close());
    const newsletters = await loadNewsletters(config.ISSUES_DIR);
    const services = buildServices({ config, logger, clock, database });
    const confirmations = await startConfirmationWorker({
      config,
      connection: redis,
      subscribers: services.subscribers,
      tokens: services.tokens,
      transport,
      newsletters,
      clock,
      logger,
      editors: createEditorRepository(database.db),
    });
    closers.push(() => confirmations.close());
    const polling = await startFeedPollingRuntime({
      config,
      db: database.db,
      connection: redis,
      logger,
      clock,
    });
    closers.push(() => polling.close());
    const retention = await startRetentionSchedule({
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      run: () => services.subscribers.applyRetention(retentionPolicyOf(config)),
      logger,
    });
    closers.push(() => retention.close());
    return { runtime, redis, database, close };
  } catch (error) {
    await close();
    throw error;
  }
}
