import type { Config } from '../config/index.ts';
import { loadNewsletters, type Newsletter } from '../content/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import {
  createSmtpTransport,
  type MailTransport,
  smtpTransportOptionsFromConfig,
} from '../mail/index.ts';
import {
  type RedisClient,
  startConfirmationWorker,
  startRetentionSchedule,
} from '../queue/index.ts';
import { type App, buildApp } from './build-app.ts';
import { startInboundRuntime } from './build-bounces.ts';
import { startDeliveryRuntime } from './build-delivery.ts';
import { startFeedPollingRuntime } from './build-feeds.ts';
import type { ResourceStack } from './resource-stack.ts';
import { openAll, openDatabase, openRedis } from './resources.ts';

/** What {@link startWorkers} runs beside the delivery workers. */
export interface WorkerChoices {
  /** Poll the feeds on their schedule. @defaultValue true */
  isPollingFeeds?: boolean;
  /** Receive bounces by SMTP when BOUNCE_ADDRESS is set (embedded database only). */
  isReceivingBounces?: boolean;
}

/**
 * Starts every worker of a process on `app`'s services, each registered on `stack`: the
 * delivery workers (fan-out, send, scheduler) over `transport`, the confirmation and sign-in
 * mail, the scheduled feed polling and the retention schedule. `depeche worker` and
 * `depeche serve` on the embedded database run the same set. Returns the port of the inbound
 * SMTP server when it runs.
 */
export async function startWorkers(
  stack: ResourceStack,
  deps: {
    app: App;
    redis: RedisClient;
    transport: MailTransport;
    newsletters: Newsletter[];
  } & WorkerChoices,
): Promise<{ inboundPort: number | undefined }> {
  const { app, redis, transport } = deps;
  const { config, logger, clock, database } = app;
  // The delivery runtime closes the SMTP pool, after the other workers (closed first).
  const runtime = await startDeliveryRuntime({
    config,
    logger,
    clock,
    database,
    redis,
    transport,
    services: app,
  });
  stack.defer('workers', () => runtime.close());
  const confirmations = await startConfirmationWorker({
    config,
    connection: redis,
    subscribers: app.subscribers,
    tokens: app.tokens,
    transport,
    newsletters: deps.newsletters,
    clock,
    logger,
    editors: app.editors.editors,
  });
  stack.defer('transactional-worker', () => confirmations.close());
  let inboundPort: number | undefined;
  if (deps.isReceivingBounces && config.BOUNCE_ADDRESS !== undefined) {
    const inbound = await startInboundRuntime({ config, database, logger, clock });
    stack.defer('inbound-smtp', () => inbound.close());
    inboundPort = inbound.port;
  }
  if (deps.isPollingFeeds ?? true) {
    const polling = await startFeedPollingRuntime({
      config,
      feeds: app.feeds,
      connection: redis,
      logger,
    });
    stack.defer('feed-polling', () => polling.close());
  }
  const retention = await startRetentionSchedule({
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    run: () => app.subscribers.applyRetention(app.retention),
    logger,
  });
  stack.defer('retention', () => retention.close());
  return { inboundPort };
}

/**
 * Opens the database (migrated) and the workers' Redis connection of a process, and builds its
 * services over them: the start of every long-running process. `close()` releases them.
 */
export async function openProcess(
  stack: ResourceStack,
  options: { config: Config; logger: Logger; clock: Clock; holder: string; redisName: string },
): Promise<{ app: App; redis: RedisClient }> {
  const { config, logger, clock } = options;
  const database = await openDatabase(stack, { config, logger, holder: options.holder });
  const redis = openRedis(stack, {
    config,
    role: 'worker',
    name: options.redisName,
    onError: (error) => logger.warn({ err: error }, 'redis connection error'),
  });
  const app = buildApp({ config, logger, clock, database, redis });
  stack.defer('queues', () => app.close());
  return { app, redis };
}

/**
 * What `depeche worker` and `workers/send-batch.ts` run: {@link openProcess}, then
 * {@link startWorkers} over an SMTP pool. Any number of such processes may share one Redis and
 * one PostgreSQL (embedded PGlite serves one process only).
 */
export function startWorkerProcess(options: {
  config: Config;
  logger: Logger;
  clock: Clock;
  holder?: string;
}) {
  return openAll(options.logger, async (stack) => {
    const { app, redis } = await openProcess(stack, {
      ...options,
      holder: options.holder ?? 'depeche worker',
      redisName: 'depeche-worker',
    });
    const transport = createSmtpTransport(
      smtpTransportOptionsFromConfig(options.config, options.logger),
    );
    const newsletters = await loadNewsletters(options.config.ISSUES_DIR);
    await startWorkers(stack, { app, redis, transport, newsletters });
    return { app, redis, database: app.database };
  });
}

/**
 * What `workers/poll-feeds.ts` runs: {@link openProcess} and the scheduled feed polling alone.
 */
export function startFeedPollerProcess(options: { config: Config; logger: Logger; clock: Clock }) {
  return openAll(options.logger, async (stack) => {
    const { app, redis } = await openProcess(stack, {
      ...options,
      holder: 'depeche feed poller',
      redisName: 'depeche-feed-poller',
    });
    const polling = await startFeedPollingRuntime({
      config: options.config,
      feeds: app.feeds,
      connection: redis,
      logger: options.logger,
    });
    stack.defer('feed-polling', () => polling.close());
    return { app };
  });
}
