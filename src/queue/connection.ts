import { Redis } from 'ioredis';

/**
 * Opens a Redis connection for BullMQ and the send-rate limiter. `maxRetriesPerRequest: null`
 * is what BullMQ workers require: commands wait for a reconnect instead of failing.
 */
export function createRedisConnection(url: string, name = 'depeche'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}

/** Closes a connection opened by {@link createRedisConnection}, waiting for pending replies. */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
