import { Redis } from 'ioredis';

/**
 * Opens a Redis connection for BullMQ and the send-rate limiter. `maxRetriesPerRequest: null`
 * is what BullMQ workers require: commands wait for a reconnect instead of failing.
 */
export function createRedisConnection(url: string, name = 'depeche'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}

/**
 * Opens a Redis connection for the request path of the web pages (the subscribe rate limits and
 * the confirmation messages they queue). While Redis is unreachable a command fails after one
 * reconnection attempt, or after `commandTimeoutMs`, so a page answers with an error instead of
 * hanging; workers keep {@link createRedisConnection}, whose commands wait.
 */
export function createRequestRedisConnection(
  url: string,
  name = 'depeche-web',
  commandTimeoutMs = 5000,
): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectionName: name,
  });
}

/** Closes a connection opened by {@link createRedisConnection}, waiting for pending replies. */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
