import type { OpsRepository } from '../../db/index.ts';
import type { ReadinessCheck } from './health.ts';

/** `/readyz` asks the database for `SELECT 1`. */
export function databaseCheck(repository: Pick<OpsRepository, 'ping'>): ReadinessCheck {
  return { name: 'database', check: () => repository.ping() };
}

/** A Redis client as far as the readiness check needs it (an ioredis client fits). */
export interface PingableRedis {
  ping(): Promise<string>;
}

/**
 * `/readyz` asks Redis for `PING`. Give it a client built with `enableOfflineQueue: false`, so
 * that the check fails at once while Redis is unreachable instead of waiting for a reconnect.
 */
export function redisCheck(redis: PingableRedis): ReadinessCheck {
  return { name: 'redis', check: () => redis.ping() };
}
