import type { FastifyPluginAsync } from 'fastify';

/** One dependency `/readyz` asks: it resolves when the dependency answers, throws otherwise. */
export interface ReadinessCheck {
  /** Short name shown in the `/readyz` body, for example `database` or `redis`. */
  name: string;
  check(): Promise<unknown>;
}

/** Options of {@link healthPlugin}. */
export interface HealthOptions {
  checks: ReadinessCheck[];
  /** Time a check may take before it counts as failed. @defaultValue 2000 */
  timeoutMs?: number;
}

/** Runs `check` with a deadline, so a hung dependency makes the probe fail instead of hang. */
async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive (no dependency asked, so an orchestrator never restarts a
 * process for a database outage). `/readyz`: every dependency answers — 200 with
 * `{ status: 'ok', checks }`, or 503 with the failing checks named.
 */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  const timeoutMs = options.timeoutMs ?? 2000;

  app.get('/healthz', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(async (check) => [check.name, await runCheck(check, timeoutMs)] as const),
    );
    const checks = Object.fromEntries(results);
    const isReady = results.every(([, result]) => result === 'ok');
    if (!isReady) {
      app.log.warn({ event: 'ops.not_ready', checks }, 'readiness check failed');
    }
    void reply.header('cache-control', 'no-store');
    return reply.code(isReady ? 200 : 503).send({ status: isReady ? 'ok' : 'unavailable', checks });
  });
};
