import type { Config } from '../config/index.ts';
import { type DatabaseHandle, migrate, openDatabaseFromConfig } from '../db/index.ts';
import type { Logger } from '../lib/index.ts';
import {
  closeRedisConnection,
  createCommandRedisConnection,
  createRedisClient,
  createRedisConnection,
  createRequestRedisConnection,
  openTransactionalQueue,
  type RedisClient,
} from '../queue/index.ts';
import { createResourceStack, type ResourceStack } from './resource-stack.ts';

/**
 * Runs `open` with a fresh stack; if it throws half-way, whatever it had opened is closed again
 * before the error goes on.
 */
export async function openAll<T>(
  logger: Logger,
  open: (stack: ResourceStack) => Promise<T>,
): Promise<T & { close(): Promise<void> }> {
  const stack = createResourceStack(logger);
  try {
    const opened = await open(stack);
    return Object.assign(opened as object, { close: () => stack.close() }) as T & {
      close(): Promise<void>;
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** Opens the database of DATABASE_URL (or the embedded one), brings it to the latest schema. */
export async function openDatabase(
  stack: ResourceStack,
  deps: {
    config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>;
    logger: Logger;
    /** Name given to the embedded database lock. */
    holder: string;
    /** @defaultValue true */
    isMigrating?: boolean;
  },
): Promise<DatabaseHandle> {
  const database = await openDatabaseFromConfig(deps.config, deps.holder);
  stack.defer('database', () => database.close());
  if (deps.isMigrating ?? true) {
    const applied = await migrate(database);
    if (applied.length > 0) deps.logger.info({ applied }, 'migrations applied');
  }
  return database;
}

/**
 * The Redis connections of a process, by what waits on them: `worker` (BullMQ workers and
 * queues: waits for Redis to come back), `request` (the pages: fails fast with an error page),
 * `command` (one CLI command: fails in a few seconds with one clear line).
 */
const redisFactories = {
  worker: createRedisConnection,
  request: createRequestRedisConnection,
  command: createCommandRedisConnection,
} as const;

/** Opens a Redis connection of `role` to REDIS_URL, closed with the stack. */
export function openRedis(
  stack: ResourceStack,
  deps: {
    config: Pick<Config, 'redis'>;
    role: keyof typeof redisFactories;
    name: string;
    /** Called on each connection error (none by default: ioredis then reports them itself). */
    onError?: (error: Error) => void;
  },
): RedisClient {
  const redis = redisFactories[deps.role](deps.config.redis, deps.name);
  if (deps.onError) redis.on('error', deps.onError);
  stack.defer(`redis ${deps.name}`, () => closeRedisConnection(redis));
  return redis;
}

/**
 * The queue of confirmation and sign-in mail over a `request` Redis connection of its own: with
 * Redis down, a page or a command fails with a clear error instead of waiting.
 */
export function openTransactionalMail(
  stack: ResourceStack,
  deps: { config: Config; name: string },
) {
  const redis = openRedis(stack, {
    config: deps.config,
    role: 'request',
    name: deps.name,
    onError: () => undefined,
  });
  const queue = openTransactionalQueue(redis, deps.config);
  stack.defer('transactional-queue', () => queue.close());
  return { redis, queue };
}

/**
 * Runs `use` with a short-lived `command` Redis client to `url` (a probe, a clean-up), and
 * disconnects it afterwards whatever happened.
 */
export async function withCommandRedis<T>(
  url: string,
  use: (client: RedisClient) => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  const client = createRedisClient(url, {
    role: 'command',
    name: 'depeche-demo',
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}
