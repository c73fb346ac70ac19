import type { FastifyPluginAsync } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

import type { OpsRepository } from '../../db/index.ts';
import { bearerTokenOf, isSameSecret } from './bearer-token.ts';

/** A BullMQ queue as far as metrics need it (a `Queue` fits). */
export interface CountableQueue {
  name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** Where the metrics read their values at scrape time. */
export interface MetricsSources {
  repository: Pick<
    OpsRepository,
    'countDeliveries' | 'countSubscriptions' | 'listFeedFailures' | 'countBounceEvents'
  >;
  queues: CountableQueue[];
  /** Told when a source fails at scrape time; the metric then keeps its last values. */
  onError?: (error: unknown, metric: string) => void;
  /**
   * How long a database count is reused: the delivery count reads every delivery row, so
   * scrapes from several Prometheus servers, or every few seconds, must not repeat it.
   * @defaultValue 15000
   */
  cacheMs?: number;
}

/** `read` memoised for `ttlMs` (0 disables); a failed read is not kept. */
function cached<T>(read: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (value === undefined || now - value.at >= ttlMs) {
      const promise = read();
      value = { at: now, promise };
      promise.catch(() => {
        if (value?.promise === promise) value = undefined;
      });
    }
    return value.promise;
  };
}

/** Queue states reported by `depeche_queue_jobs`. */
const queueStates = ['waiting', 'active', 'delayed', 'failed', 'paused', 'prioritized'];

/** The Prometheus registry of one process and the instruments other parts may feed. */
export interface OpsMetrics {
  registry: Registry;
  /** Time of one SMTP submission, by newsletter and outcome (see `instrumentTransport`). */
  sendDuration: Histogram<'newsletter' | 'outcome'>;
}

/**
 * Builds the metrics of one process, in their own registry (no global): values that live in
 * PostgreSQL and Redis are read when Prometheus scrapes, so every web process reports the same
 * numbers however many workers run elsewhere.
 */
export function createOpsMetrics(sources: MetricsSources): OpsMetrics {
  const registry = new Registry();
  const ttlMs = sources.cacheMs ?? 15_000;
  const countDeliveries = cached(() => sources.repository.countDeliveries(), ttlMs);
  const countSubscriptions = cached(() => sources.repository.countSubscriptions(), ttlMs);
  const listFeedFailures = cached(() => sources.repository.listFeedFailures(), ttlMs);
  const countBounceEvents = cached(() => sources.repository.countBounceEvents(), ttlMs);
  // A failing source (database down) must not fail the whole scrape: keep the last values.
  const guarded = (metric: string, collect: (gauge: Gauge<string>) => Promise<void>) =>
    async function (this: Gauge<string>) {
      try {
        await collect(this);
      } catch (error) {
        sources.onError?.(error, metric);
      }
    };
  collectDefaultMetrics({ register: registry, prefix: 'depeche_' });

  new Gauge({
    name: 'depeche_messages',
    help: 'Delivery rows by newsletter and status (sent, failed, uncertain, queued, sending, skipped)',
    labelNames: ['newsletter', 'status'],
    registers: [registry],
    collect: guarded('depeche_messages', async (gauge) => {
      const rows = await countDeliveries();
      gauge.reset();
      for (const row of rows)
        gauge.set({ newsletter: row.newsletterId, status: row.status }, row.count);
    }),
  });

  new Gauge({
    name: 'depeche_subscriptions',
    help: 'Subscriptions by newsletter and state (pending, active, unsubscribed)',
    labelNames: ['newsletter', 'state'],
    registers: [registry],
    collect: guarded('depeche_subscriptions', async (gauge) => {
      const rows = await countSubscriptions();
      gauge.reset();
      for (const row of rows)
        gauge.set({ newsletter: row.newsletterId, state: row.status }, row.count);
    }),
  });

  new Gauge({
    name: 'depeche_bounce_events',
    help: 'What came back since the start, by kind (bounce, complaint, unsubscribe, auto-reply, unclassified) and class (hard, soft, policy, unknown for a bounce; none otherwise)',
    labelNames: ['kind', 'class'],
    registers: [registry],
    collect: guarded('depeche_bounce_events', async (gauge) => {
      const rows = await countBounceEvents();
      gauge.reset();
      for (const row of rows) gauge.set({ kind: row.kind, class: row.class }, row.count);
    }),
  });

  new Gauge({
    name: 'depeche_feed_poll_failures',
    help: 'Consecutive failed polls of each monitored feed (0 when its last poll succeeded)',
    labelNames: ['newsletter', 'feed'],
    registers: [registry],
    collect: guarded('depeche_feed_poll_failures', async (gauge) => {
      const rows = await listFeedFailures();
      gauge.reset();
      for (const row of rows) {
        gauge.set({ newsletter: row.newsletterId, feed: row.name }, row.consecutiveFailures);
      }
    }),
  });

  new Gauge({
    name: 'depeche_queue_jobs',
    help: 'Jobs of each BullMQ queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    collect: guarded('depeche_queue_jobs', async (gauge) => {
      const counts = await Promise.all(
        sources.queues.map(
          async (queue) => [queue.name, await queue.getJobCounts(...queueStates)] as const,
        ),
      );
      gauge.reset();
      for (const [queue, byState] of counts) {
        for (const state of queueStates) gauge.set({ queue, state }, byState[state] ?? 0);
      }
    }),
  });

  const sendDuration = new Histogram({
    name: 'depeche_send_duration_seconds',
    help: 'Time of one SMTP submission by the workers of this process, by newsletter and outcome (accepted, rejected, error)',
    labelNames: ['newsletter', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return { registry, sendDuration };
}

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  metrics: OpsMetrics;
  /** METRICS_TOKEN: when given, a scrape must send it as `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

/**
 * `GET /metrics` in the Prometheus text format. The counts it tells (subscribers, deliveries,
 * feeds) are not for everyone: on the web port it is registered only with a token (see
 * `opsPlugin`), without one only on the separate METRICS_PORT.
 */
export const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, options) => {
  const { registry } = options.metrics;
  const { token } = options;
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined) {
      const given = bearerTokenOf(request.headers.authorization);
      if (given === undefined || !isSameSecret(given, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="depeche-metrics"')
          .type('text/plain; charset=utf-8')
          .send('Unauthorized: give METRICS_TOKEN as a Bearer token');
      }
    }
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
};
