import type { Queue } from 'bullmq';

import { createEditorWorkspaceDeps, createWebDeps } from '../app/web-deps.ts';
import { createSnsFetcher } from '../bounces/index.ts';
import {
  buildBounceServices,
  createCampaignBounceReport,
  startInboundRuntime,
} from '../build-bounces.ts';
import {
  buildDelivery,
  type Delivery,
  retentionPolicyOf,
  startDeliveryRuntime,
} from '../build-delivery.ts';
import { startFeedPollingRuntime } from '../build-feeds.ts';
import { buildServices, type Services } from '../build-services.ts';
import type { Config } from '../config/index.ts';
import { loadNewsletters } from '../content/index.ts';
import {
  createAuditRepository,
  createEditorRepository,
  createOpsRepository,
  createWebhookTokenRepository,
  migrate,
  openDatabaseFromConfig,
} from '../db/index.ts';
import { type Clock, type Logger, systemClock } from '../lib/index.ts';
import { createSmtpTransport, smtpTransportOptionsFromConfig } from '../mail/index.ts';
import {
  closeRedisConnection,
  createRedisClient,
  createRedisConnection,
  createRequestRedisConnection,
  openFeedPollQueue,
  openTransactionalQueue,
  startConfirmationWorker,
  startRetentionSchedule,
} from '../queue/index.ts';
import { buildApp } from './app.ts';
import { bounceWebhooksPlugin } from './bounce-webhooks.ts';
import {
  createOpsMetrics,
  databaseCheck,
  instrumentTransport,
  metricsPlugin,
  opsPlugin,
  redisCheck,
} from './ops/index.ts';
import { createServer, listen } from './server.ts';

/** Options of {@link startServeProcess}. */
export interface ServeProcessOptions {
  config: Config;
  logger: Logger;
  host: string;
  port: number;
  /** Run the workers in this process too (the embedded PGlite setup). */
  isRunningWorkers: boolean;
  /** With the workers, also poll the feeds on their schedule. @defaultValue true */
  isPollingFeeds?: boolean;
  /** @defaultValue the system clock */
  clock?: Clock;
  /** Name given to the embedded database lock. @defaultValue 'depeche serve' */
  holder?: string;
  /** `depeche demo --serve`: print the workspace's sign-in links whatever DEPECHE_ENV. */
  isDemo?: boolean;
}

/** A running `depeche serve`: its address, its services, and how to stop it. */
export interface ServeProcess {
  url: string;
  services: Services;
  /** Campaigns and queues (with the workers when this process runs them). */
  delivery: Delivery;
  /** Port of the inbound SMTP server, run here with the workers when BOUNCE_ADDRESS is set. */
  inboundPort: number | undefined;
  /** Stops taking requests and jobs, finishes those in flight, releases every resource. */
  close(): Promise<void>;
}

/**
 * Starts what `depeche serve` runs: opens and migrates the database, builds the services, starts
 * the workers when asked, and listens with the pages and the operations endpoints. On failure
 * half-way, whatever was opened is closed again.
 */
export async function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const log = logger.child({ component: 'serve' });
  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  const close = async () => {
    // Last opened first: the HTTP server stops, then the workers drain, then Redis and the database.
    for (const { name, close: closeOne } of closers.reverse()) {
      await closeOne().catch((error: unknown) =>
        log.warn({ err: error, resource: name }, 'close failed'),
      );
    }
    closers.length = 0;
  };
  try {
    const database = await openDatabaseFromConfig(config, options.holder ?? 'depeche serve');
    closers.push({ name: 'database', close: () => database.close() });
    const applied = await migrate(database);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');

    const connection = createRedisConnection(config.redis, 'depeche-serve');
    connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
    closers.push({ name: 'redis', close: () => closeRedisConnection(connection) });
    // Its own client for /readyz: no offline queue, so an unreachable Redis fails at once.
    const probe = createRedisClient(config.redis, { role: 'probe', name: 'depeche-readyz' });
    probe.on('error', () => undefined);
    closers.push({ name: 'redis-probe', close: async () => probe.disconnect() });

    const services = buildServices({ config, logger, clock, database });
    const newsletters = await loadNewsletters(config.ISSUES_DIR);
    const queueList: Queue[] = [];
    const repository = createOpsRepository(database.db);
    const metrics = createOpsMetrics({
      repository,
      queues: queueList,
      onError: (error, metric) => log.warn({ err: error, metric }, 'metric source failed'),
    });

    // The pages' own connection (rate limits, confirmation messages): with Redis down a
    // subscribe fails with an error page instead of hanging on the workers' waiting connection.
    const requestRedis = createRequestRedisConnection(config.redis, 'depeche-web');
    requestRedis.on('error', () => undefined);
    closers.push({ name: 'redis-web', close: () => closeRedisConnection(requestRedis) });
    const transactionalQueue = openTransactionalQueue(requestRedis, config);
    closers.push({ name: 'transactional-queue', close: () => transactionalQueue.close() });
    let delivery: Delivery;
    let inboundPort: number | undefined;
    if (options.isRunningWorkers) {
      log.info({}, 'embedded database: running the workers in this process');
      const senders = new Map(
        newsletters.map((newsletter) => [newsletter.sender.email.toLowerCase(), newsletter.id]),
      );
      const transport = instrumentTransport(
        createSmtpTransport(smtpTransportOptionsFromConfig(config, logger)),
        {
          histogram: metrics.sendDuration,
          newsletterOf: (from) => senders.get(from.toLowerCase()) ?? 'unknown',
        },
      );
      const runtime = await startDeliveryRuntime({
        config,
        logger,
        clock,
        database,
        redis: connection,
        transport,
      });
      closers.push({ name: 'workers', close: () => runtime.close() });
      delivery = runtime.delivery;
      const confirmations = await startConfirmationWorker({
        config,
        connection,
        subscribers: services.subscribers,
        tokens: services.tokens,
        transport,
        newsletters,
        clock,
        logger,
        editors: createEditorRepository(database.db),
      });
      closers.push({ name: 'transactional-worker', close: () => confirmations.close() });
      // embedded PGlite serves this process only: `depeche inbound` could not open it beside us
      if (config.BOUNCE_ADDRESS !== undefined) {
        const inbound = await startInboundRuntime({ config, database, logger, clock });
        closers.push({ name: 'inbound-smtp', close: () => inbound.close() });
        inboundPort = inbound.port;
      }
      if (options.isPollingFeeds ?? true) {
        const polling = await startFeedPollingRuntime({
          config,
          db: database.db,
          connection,
          logger,
          clock,
        });
        closers.push({ name: 'feed-polling', close: () => polling.close() });
      }
      const retention = await startRetentionSchedule({
        connection,
        prefix: config.QUEUE_PREFIX,
        run: () => services.subscribers.applyRetention(retentionPolicyOf(config)),
        logger,
      });
      closers.push({ name: 'retention', close: () => retention.close() });
    } else {
      delivery = buildDelivery({ config, logger, clock, database, redis: connection });
      closers.push({ name: 'queues', close: () => delivery.close() });
    }
    // The feed-poll queue is shown and counted too, whichever process runs its worker.
    const feedPollQueue = openFeedPollQueue(requestRedis, config);
    closers.push({ name: 'feed-poll-queue', close: () => feedPollQueue.close() });
    queueList.push(...delivery.queues.all, transactionalQueue, feedPollQueue);

    // Test copies sent from the workspace: their own pool, so they never wait for a campaign's.
    const testTransport = createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
    closers.push({ name: 'test-send-smtp', close: async () => testTransport.close?.() });

    const bounces = buildBounceServices({ config, db: database.db, logger, clock }).bounces;
    const app = await buildApp({
      ...createWebDeps({
        db: database.db,
        subscribers: services.subscribers,
        tokens: services.tokens,
        transactionalQueue,
        newsletters,
        publicUrl: config.PUBLIC_URL,
        clock,
        logger,
        redis: requestRedis,
        redisKeyPrefix: config.QUEUE_PREFIX,
        isBehindProxy: config.TRUST_PROXY,
        retention: retentionPolicyOf(config),
        editor: createEditorWorkspaceDeps({
          db: database.db,
          clock,
          config,
          transactionalQueue,
          queues: queueList,
          isDemo: options.isDemo ?? false,
          campaigns: {
            delivery: delivery.service,
            reader: delivery.reader,
            audit: createAuditRepository(database.db),
            clock,
            bounces: createCampaignBounceReport(database.db),
          },
          logger,
          preview: {
            templatesDir: config.TEMPLATES_DIR,
            publicUrl: config.PUBLIC_URL,
            signer: services.tokens,
            transport: testTransport,
            unsubscribeMailto: config.UNSUBSCRIBE_MAILTO,
          },
        }),
      }),
      extraPlugins: [
        async (root) => {
          await root.register(opsPlugin, {
            checks: [databaseCheck(repository), redisCheck(probe)],
            metrics,
            queues: queueList,
            adminToken: config.ADMIN_TOKEN,
            isSecureCookie: config.PUBLIC_URL.startsWith('https:'),
            // On its own port the metrics need no token; the web port then has none.
            metricsToken: config.METRICS_PORT === undefined ? config.METRICS_TOKEN : undefined,
          });
        },
        async (root) => {
          await root.register(bounceWebhooksPlugin, {
            bounces,
            logger,
            mailgunSigningKey: config.MAILGUN_WEBHOOK_SIGNING_KEY,
            mailgunTokens: createWebhookTokenRepository(database.db),
            maxAgeSec: config.WEBHOOK_MAX_AGE_SEC,
            clock,
            sendgridPublicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY,
            postmarkPassword: config.POSTMARK_WEBHOOK_PASSWORD,
            ses:
              config.SES_SNS_TOPIC_ARNS === undefined
                ? undefined
                : createSnsFetcher(config.SES_SNS_TOPIC_ARNS),
          });
        },
      ],
    });
    if (config.METRICS_PORT !== undefined) {
      const metricsApp = createServer({ logger });
      await metricsApp.register(metricsPlugin, { metrics, token: config.METRICS_TOKEN });
      const metricsUrl = await listen(metricsApp, {
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
      });
      closers.push({ name: 'metrics-http', close: () => metricsApp.close() });
      log.info({ url: `${metricsUrl}/metrics` }, 'metrics served on their own port');
    } else if (config.METRICS_TOKEN === undefined) {
      log.info({}, '/metrics off: set METRICS_TOKEN or METRICS_PORT to serve it');
    }
    const url = await listen(app, { host: options.host, port: options.port });
    closers.push({ name: 'http', close: () => app.close() });
    log.info({ url, isEmbeddedDatabase: config.isEmbeddedDatabase }, 'serving');
    return { url, services, delivery, inboundPort, close };
  } catch (error) {
    await close();
    throw error;
  }
}
