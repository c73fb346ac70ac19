import { Cluster, Redis } from 'ioredis';

import { parseRedisTarget, type RedisTarget, redisTargetLabel } from '../config/index.ts';
import { AppError } from '../lib/index.ts';

/**
 * A client of one Redis server or of a Redis Cluster. BullMQ, the send-rate limiter and the
 * pages' rate limits take either; every one is built by {@link createRedisClient}.
 */
export type RedisClient = Redis | Cluster;

/**
 * How a client behaves while Redis does not answer:
 * - `worker`: commands wait for a reconnect instead of failing, which BullMQ workers require
 *   (`maxRetriesPerRequest: null`).
 * - `request`: the request path of the web pages (rate limits, the confirmation messages they
 *   queue) fails after one reconnection attempt or `timeoutMs`, so a page answers with an error
 *   instead of hanging. On a cluster, once connected, commands fail at once while their node or
 *   the whole cluster is not connected.
 * - `command`: a command-line command gives up after `timeoutMs` and one reconnection attempt;
 *   its connection errors are left to {@link assertRedisAnswers} rather than printed.
 * - `probe`: `/readyz` fails at once while Redis is unreachable (no offline queue).
 */
export type RedisClientRole = 'worker' | 'request' | 'command' | 'probe';

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  role: RedisClientRole;
  /** Name of the connection in `CLIENT LIST`. @defaultValue 'depeche' */
  name?: string;
  /** Command timeout of `request`, connect timeout of `command`. @defaultValue 5000, 3000 */
  timeoutMs?: number;
}

/** The last connection error of each command client, the cause {@link assertRedisAnswers} gives. */
const lastErrors = new WeakMap<RedisClient, Error>();

/**
 * Opens a Redis client, the one way every part of Dépêche does: a {@link Redis} for one server,
 * a {@link Cluster} for a Redis Cluster (its keys must then share a hash tag: QUEUE_PREFIX,
 * `{depeche}` by default, is checked by the configuration). `target` is the configuration's
 * `redis`, or a REDIS_URL (several comma-separated nodes are a cluster).
 */
export function createRedisClient(
  target: RedisTarget | string,
  options: RedisClientOptions,
): RedisClient {
  const resolved = typeof target === 'string' ? parseRedisTarget(target) : target;
  const { role } = options;
  const connectionName = options.name ?? 'depeche';
  const timeouts =
    role === 'request'
      ? { maxRetriesPerRequest: 1, commandTimeout: options.timeoutMs ?? 5000 }
      : role === 'command'
        ? { maxRetriesPerRequest: 1, connectTimeout: options.timeoutMs ?? 3000 }
        : { maxRetriesPerRequest: role === 'worker' ? null : 1 };
  const retryOnce = (times: number) => (times > 1 ? null : 200);
  const isOfflineQueued = role !== 'probe';

  let client: RedisClient;
  if (resolved.kind === 'single') {
    client = new Redis(resolved.url, {
      connectionName,
      ...timeouts,
      ...(isOfflineQueued ? {} : { enableOfflineQueue: false }),
      ...(role === 'command' ? { retryStrategy: retryOnce } : {}),
    });
  } else {
    const cluster = new Cluster(resolved.nodes, {
      redisOptions: {
        connectionName,
        ...timeouts,
        ...(resolved.username === undefined ? {} : { username: resolved.username }),
        ...(resolved.password === undefined ? {} : { password: resolved.password }),
        ...(resolved.isTls ? { tls: {} } : {}),
      },
      enableOfflineQueue: isOfflineQueued,
      ...(role === 'command' ? { clusterRetryStrategy: retryOnce } : {}),
    });
    if (role === 'request') {
      // A cluster queues the commands it cannot send with no timeout, for as long as it has no
      // connection: the pages want an error at once instead, once it was connected (before,
      // the queue lets the first requests wait for the start-up connection).
      cluster.once('ready', () => {
        cluster.options.enableOfflineQueue = false;
      });
    }
    client = cluster;
  }
  if (role === 'command') {
    client.on('error', (error: Error) => {
      // reported once, by assertRedisAnswers or the command that failed
      lastErrors.set(client, error);
    });
  }
  return client;
}

/**
 * Opens a Redis client for BullMQ workers and the send-rate limiter (`worker` role of
 * {@link createRedisClient}): commands wait for a reconnect instead of failing.
 */
export function createRedisConnection(target: RedisTarget | string, name = 'depeche'): RedisClient {
  return createRedisClient(target, { role: 'worker', name });
}

/**
 * Opens a Redis client for the request path of the web pages (`request` role of
 * {@link createRedisClient}): a command fails after one reconnection attempt, or after
 * `commandTimeoutMs`, so a page answers with an error instead of hanging.
 */
export function createRequestRedisConnection(
  target: RedisTarget | string,
  name = 'depeche-web',
  commandTimeoutMs = 5000,
): RedisClient {
  return createRedisClient(target, { role: 'request', name, timeoutMs: commandTimeoutMs });
}

/**
 * Opens a Redis client for a command-line command (`depeche campaign …`, `command` role of
 * {@link createRedisClient}): it gives up after `timeoutMs` and one reconnection attempt.
 */
export function createCommandRedisConnection(
  target: RedisTarget | string,
  name = 'depeche-cli',
  timeoutMs = 3000,
): RedisClient {
  return createRedisClient(target, { role: 'command', name, timeoutMs });
}

/** Redis did not answer a command that needs it; nothing was changed. */
export class RedisUnavailableError extends AppError {
  constructor(target: RedisTarget | string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'EREDIS',
      `Redis at ${redisTargetLabel(target)} does not answer (${reason}); nothing was changed. ` +
        'Start Redis or check REDIS_URL, then run the command again.',
      { cause },
    );
  }
}

/**
 * Fails fast with {@link RedisUnavailableError} when Redis does not answer a PING within
 * `timeoutMs` (and closes the connection), so a command checks Redis before it changes state.
 */
export async function assertRedisAnswers(
  redis: RedisClient,
  target: RedisTarget | string,
  timeoutMs = 3000,
) {
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
    throw new RedisUnavailableError(target, lastErrors.get(redis) ?? error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Deletes every key that starts with `prefix` (a queue prefix of its own, as the demo and the
 * tests use), on every master of a cluster; the braces of a hash tag are matched literally.
 */
export async function deleteKeysUnder(redis: RedisClient, prefix: string): Promise<number> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match, count: 500 })) {
      const batch = keys as string[];
      // one key per call: keys of a prefix without a hash tag may sit in several slots
      const counts = await Promise.all(batch.map((key) => node.unlink(key)));
      deleted += counts.reduce((sum, count) => sum + count, 0);
    }
  }
  return deleted;
}

/** Closes a client opened by {@link createRedisClient}, waiting for pending replies. */
export async function closeRedisConnection(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
