// Thin entry point of a process that only polls the feeds on schedule (`depeche worker` also
// does it), for process managers that start a script: `node --import tsx workers/poll-feeds.ts`.
// Any number may run: one BullMQ job scheduler, never two polls at once.
import { startFeedPollingRuntime } from '../src/build-feeds.ts';
import { loadConfig } from '../src/config/index.ts';
import { migrate, openDatabaseFromConfig } from '../src/db/index.ts';
import { createLogger, systemClock } from '../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../src/queue/index.ts';
import { exitIfStillAlive, waitForShutdownSignal } from '../src/web/server.ts';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.LOG_LEVEL, isPretty: process.stdout.isTTY === true });
const database = await openDatabaseFromConfig(config, 'depeche feed poller');
await migrate(database);
const redis = createRedisConnection(config.redis, 'depeche-feed-poller');
redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
const polling = await startFeedPollingRuntime({
  config,
  db: database.db,
  connection: redis,
  logger,
  clock: systemClock,
});
await waitForShutdownSignal({ logger });
await polling.close();
await closeRedisConnection(redis);
await database.close();
exitIfStillAlive();
