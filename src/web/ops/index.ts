import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';

import { adminQueuesPath, adminQueuesPlugin } from './admin-queues.ts';
import { healthPlugin, type ReadinessCheck } from './health.ts';
import { metricsPlugin, type OpsMetrics } from './metrics.ts';

export {
  adminQueuesPath,
  adminQueuesPlugin,
  type QueueBoardOptions,
  queueBoardPlugin,
} from './admin-queues.ts';
export { healthPlugin, type ReadinessCheck } from './health.ts';
export { type InstrumentOptions, instrumentTransport } from './instrumented-transport.ts';
export {
  type CountableQueue,
  createOpsMetrics,
  metricsPlugin,
  type MetricsSources,
  type OpsMetrics,
} from './metrics.ts';
export { databaseCheck, redisCheck } from './readiness-checks.ts';

/** What the operations endpoints need. */
export interface OpsOptions {
  checks: ReadinessCheck[];
  metrics: OpsMetrics;
  /** Queues shown by Bull Board. */
  queues: Queue[];
  /** ADMIN_TOKEN; without it `/admin/queues` is not mounted (404). */
  adminToken?: string | undefined;
  /** Marks the admin session cookie `Secure`. @defaultValue false */
  isSecureCookie?: boolean;
  /**
   * METRICS_TOKEN: `/metrics` is served here only with it (as a Bearer token); without it the
   * route is absent (404), for the metrics are on METRICS_PORT or off.
   */
  metricsToken?: string | undefined;
}

/**
 * The operations endpoints of `depeche serve`: `/healthz`, `/readyz`, `/metrics` when
 * METRICS_TOKEN is set (a Bearer token) and, when ADMIN_TOKEN is set, the Bull Board queue
 * dashboard at `/admin/queues`.
 */
export const opsPlugin: FastifyPluginAsync<OpsOptions> = async (app, options) => {
  await app.register(healthPlugin, { checks: options.checks });
  if (options.metricsToken !== undefined) {
    await app.register(metricsPlugin, { metrics: options.metrics, token: options.metricsToken });
  }
  if (options.adminToken !== undefined) {
    await app.register(adminQueuesPlugin, {
      token: options.adminToken,
      queues: options.queues,
      isSecureCookie: options.isSecureCookie ?? false,
    });
  } else {
    app.log.info({ path: adminQueuesPath }, 'queue dashboard off: ADMIN_TOKEN is not set');
  }
};
