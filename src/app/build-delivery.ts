import { userInfo } from 'node:os';

import {
  createCampaignReader,
  createCampaignService,
  createIssuePreparer,
} from '../campaigns/index.ts';
import { type Config, resolveSecretKeys } from '../config/index.ts';
import { loadIssue } from '../content/index.ts';
import {
  createAudienceRepository,
  createCampaignProgressRepository,
  createCampaignRepository,
  createDeliveryRepository,
  type DatabaseHandle,
} from '../db/index.ts';
import { type AuditActor, commandLineActor } from '../editors/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import {
  createRecipientLinks,
  createSmtpTransport,
  type MailTransport,
  smtpTransportOptionsFromConfig,
} from '../mail/index.ts';
import {
  createDeliveryQueues,
  createQueueEnqueuer,
  createRedisRateLimiter,
  type DeliveryQueues,
  type RedisClient,
  startDeliveryWorkers,
} from '../queue/index.ts';
import { createRenderer, greetingFor } from '../render/index.ts';
import { createBatchSender, createCampaignMessages } from '../sending/index.ts';
import {
  createTokenSigner,
  type SubscriberService,
  type TokenSigner,
} from '../subscribers/index.ts';
import { verpFromConfig } from './build-bounces.ts';
import { buildIssueReviewService } from './build-review.ts';
import { buildSubscriberService } from './subscriber-stores.ts';

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
 * Redis rate limit. `depeche worker` (and `depeche serve` on the embedded database) call it with
 * the process's `services`, so the subscriber service, the token signer and the queues are built
 * once per process; without them (tests, benchmarks) it builds its own.
 * `close()` stops taking jobs, lets the jobs in flight finish, then closes the SMTP pool (and the
 * queues it built itself).
 */
export async function startDeliveryRuntime(
  deps: DeliveryDeps & {
    transport?: MailTransport;
    services?: {
      subscribers: Pick<SubscriberService, 'suppress'>;
      tokens: TokenSigner;
      delivery: Delivery;
    };
  },
) {
  const { config, logger, clock } = deps;
  const db = deps.database.db;
  const delivery = deps.services?.delivery ?? buildDelivery(deps);
  const transport =
    deps.transport ?? createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
  const signer = deps.services?.tokens ?? createTokenSigner(resolveSecretKeys(config));
  const verp = verpFromConfig(config);
  const subscribers = deps.services?.subscribers ?? buildSubscriberService({ db, clock, logger });
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
      // the queues of the process's services are closed by their owner
      if (!deps.services) await delivery.close();
    },
  };
}
