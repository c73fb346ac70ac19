import { Redis } from 'ioredis';

import { AppError } from '../lib/index.ts';

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

/** Redis did not answer a command that needs it; nothing was changed. */
export class RedisUnavailableError extends AppError {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'EREDIS',
      `Redis at ${redisLabel(url)} does not answer (${reason}); nothing was changed. ` +
        'Start Redis or check REDIS_URL, then run the command again.',
      { cause },
    );
  }
}

/**
 * Opens a Redis connection for a command-line command (`depeche campaign …`): it gives up after
 * `timeoutMs` and one reconnection attempt instead of waiting for Redis forever, and its
 * connection errors are left to {@link assertRedisAnswers} rather than printed as stack traces.
 */
export function createCommandRedisConnection(
  url: string,
  name = 'depeche-cli',
  timeoutMs = 3000,
): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => (times > 1 ? null : 200),
  });
  redis.on('error', (error: Error) => {
    // reported once, by assertRedisAnswers or the command that failed
    lastErrors.set(redis, error);
  });
  return redis;
}

/** The last connection error of each command connection, the cause {@link assertRedisAnswers} gives. */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Fails fast with {@link RedisUnavailableError} when Redis does not answer a PING within
 * `timeoutMs` (and closes the connection), so a command checks Redis before it changes state.
 */
export async function assertRedisAnswers(redis: Redis, url: string, timeoutMs = 3000) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(url, lastErrors.get(redis) ?? error);
  } finally {
    clearTimeout(timer);
  }
}

/** `host:port` of a Redis URL, without credentials. */
function redisLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Closes a connection opened by {@link createRedisConnection}, waiting for pending replies. */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
