import type { App } from '../app/index.ts';
import { createResourceStack, type ResourceStack } from '../app/resource-stack.ts';
import { type Config, loadConfig } from '../config/index.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { createLogger, type Logger, systemClock } from '../lib/index.ts';
import type { RedisClient } from '../queue/index.ts';

/** How a command opens the database. */
export interface DatabaseOptions {
  /** Bring the schema up to date first. @defaultValue true */
  isMigrating?: boolean;
}

/**
 * What a command needs from its process: configuration, a logger, somewhere to write and the
 * services. Everything is built lazily: `depeche check` never touches Redis or the database,
 * and Redis is opened only by a command that enqueues (`campaign status` and `campaign list`
 * read PostgreSQL alone).
 */
export interface CliContext extends ResourceStack {
  config(): Config;
  logger(): Logger;
  /** Writes one line of command output to stdout. */
  print(line: string): void;
  /**
   * The database, opened on first call; `holder` names the command in the embedded
   * database's lock (`depeche campaign send`).
   */
  database(holder: string, options?: DatabaseOptions): Promise<DatabaseHandle>;
  /** The command's Redis connection (fails in seconds, not minutes), opened on first call. */
  redis(): Promise<RedisClient>;
  /** Every service over {@link database}, with Redis opened by the first enqueue. */
  app(holder: string, options?: DatabaseOptions): Promise<App>;
  /** Registers a resource to release when the command ends. */
  onClose(close: () => Promise<void> | void): void;
  /** Releases every registered resource, last registered first. */
  close(): Promise<void>;
}

type ResourcesModule = typeof import('../app/resources.ts');

/**
 * The database, Redis and service modules are loaded on first use: importing them costs seconds
 * of start-up (drizzle, BullMQ, every domain) that `depeche check` or `depeche render` never need.
 */
let resourcesModule: Promise<ResourcesModule> | undefined;
const loadResources = () => (resourcesModule ??= import('../app/resources.ts'));

/** Builds the context of one CLI invocation from the process environment. */
export function createCliContext(env: Record<string, string | undefined>): CliContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  let database: Promise<DatabaseHandle> | undefined;
  let redis: RedisClient | undefined;
  let app: Promise<App> | undefined;
  const ctx: CliContext = {
    config() {
      config ??= loadConfig(env);
      return config;
    },
    logger() {
      logger ??= createLogger({
        level: env.LOG_LEVEL ?? 'warn',
        isPretty: process.stderr.isTTY === true,
      });
      return logger;
    },
    print(line) {
      process.stdout.write(`${line}\n`);
    },
    database(holder, options) {
      database ??= loadResources().then(({ openDatabase }) =>
        openDatabase(stack(), { config: ctx.config(), logger: ctx.logger(), holder, ...options }),
      );
      return database;
    },
    async redis() {
      return openCommandRedis(await loadResources());
    },
    app(holder, options) {
      app ??= Promise.all([
        ctx.database(holder, options),
        import('../app/build-app.ts'),
        loadResources(),
      ]).then(([handle, { buildApp }, resourcesModule]) => {
        const built = buildApp({
          config: ctx.config(),
          logger: ctx.logger(),
          clock: systemClock,
          database: handle,
          redis: () => openCommandRedis(resourcesModule),
        });
        stack().defer('queues', () => built.close());
        return built;
      });
      return app;
    },
    defer(name, close) {
      stack().defer(name, close);
    },
    onClose(close) {
      stack().defer('command', close);
    },
    async close() {
      await resources?.close();
      await redisResources?.close();
      database = undefined;
      app = undefined;
      redis = undefined;
    },
  };
  // Created on first use: the logger (and so LOG_LEVEL) is read only when something is opened.
  let resources: ResourceStack | undefined;
  let redisResources: ResourceStack | undefined;
  const stack = () => (resources ??= createResourceStack(ctx.logger()));
  const openCommandRedis = ({ openRedis }: ResourcesModule) => {
    // Released after everything that uses it (the queues), whenever it is opened.
    redisResources ??= createResourceStack(ctx.logger());
    redis ??= openRedis(redisResources, {
      config: ctx.config(),
      role: 'command',
      name: 'depeche-cli',
    });
    return redis;
  };
  return ctx;
}

/** Prints `data` as JSON when `isJson`, otherwise the human-readable lines. */
export function printResult(
  ctx: CliContext,
  isJson: boolean | undefined,
  data: unknown,
  lines: () => string[],
): void {
  if (isJson) ctx.print(JSON.stringify(data, null, 2));
  else for (const line of lines()) ctx.print(line);
}
