import type { Queue } from 'bullmq';

import { createSnsFetcher } from '../bounces/index.ts';
import type { Config } from '../config/index.ts';
import { loadNewsletters } from '../content/index.ts';
import { createOpsRepository, createWebhookTokenRepository } from '../db/index.ts';
import { type Clock, type Logger, systemClock } from '../lib/index.ts';
import { createSmtpTransport, smtpTransportOptionsFromConfig } from '../mail/index.ts';
import { createRedisClient, openFeedPollQueue } from '../queue/index.ts';
import { buildApp as buildWebApp } from '../web/app.ts';
import { bounceWebhooksPlugin } from '../web/bounce-webhooks.ts';
import {
  createOpsMetrics,
  databaseCheck,
  instrumentTransport,
  metricsPlugin,
  opsPlugin,
  redisCheck,
} from '../web/ops/index.ts';
import { createServer, listen } from '../web/server.ts';
import type { App } from './build-app.ts';
import type { Delivery } from './build-delivery.ts';
import { openAll, openTransactionalMail } from './resources.ts';
import { createEditorWorkspaceDeps, createWebDeps } from './web-deps.ts';
import { openProcess, startWorkers } from './worker-process.ts';

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
  services: App;
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
export function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const log = logger.child({ component: 'serve' });
  // Last opened first: the HTTP server stops, then the workers drain, then Redis and the database.
  return openAll(log, async (stack) => {
    const { app: services, redis: connection } = await openProcess(stack, {
      config,
      logger,
      clock,
      holder: options.holder ?? 'depeche serve',
      redisName: 'depeche-serve',
    });
    const { database } = services;
    // Its own client for /readyz: no offline queue, so an unreachable Redis fails at once.
    const probe = createRedisClient(config.redis, { role: 'probe', name: 'depeche-readyz' });
    probe.on('error', () => undefined);
    stack.defer('redis-probe', () => probe.disconnect());

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
    const { redis: requestRedis, queue: transactionalQueue } = openTransactionalMail(stack, {
      config,
      name: 'depeche-web',
    });
    const delivery = services.delivery;
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
      ({ inboundPort } = await startWorkers(stack, {
        app: services,
        redis: connection,
        transport,
        newsletters,
        isPollingFeeds: options.isPollingFeeds ?? true,
        // embedded PGlite serves this process only: `depeche inbound` could not open it beside us
        isReceivingBounces: true,
      }));
    }
    // The feed-poll queue is shown and counted too, whichever process runs its worker.
    const feedPollQueue = openFeedPollQueue(requestRedis, config);
    stack.defer('feed-poll-queue', () => feedPollQueue.close());
    queueList.push(...delivery.queues.all, transactionalQueue, feedPollQueue);

    // Test copies sent from the workspace: their own pool, so they never wait for a campaign's.
    const testTransport = createSmtpTransport(smtpTransportOptionsFromConfig(config, logger));
    stack.defer('test-send-smtp', () => testTransport.close?.());

    const { bounces } = services.bounces;
    const app = await buildWebApp({
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
        retention: services.retention,
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
            audit: services.audit,
            clock,
            bounces: services.bounceReport,
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
      stack.defer('metrics-http', () => metricsApp.close());
      log.info({ url: `${metricsUrl}/metrics` }, 'metrics served on their own port');
    } else if (config.METRICS_TOKEN === undefined) {
      log.info({}, '/metrics off: set METRICS_TOKEN or METRICS_PORT to serve it');
    }
    const url = await listen(app, { host: options.host, port: options.port });
    stack.defer('http', () => app.close());
    log.info({ url, isEmbeddedDatabase: config.isEmbeddedDatabase }, 'serving');
    return { url, services, delivery, inboundPort };
  });
}
