// Thin entry point of a process that only polls the feeds on schedule (`depeche worker` also
// does it), for process managers that start a script: `node --import tsx workers/poll-feeds.ts`.
// Any number may run: one BullMQ job scheduler, never two polls at once.
import { closeOnShutdownSignal, startFeedPollerProcess } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger, systemClock } from '../src/lib/index.ts';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.LOG_LEVEL, isPretty: process.stdout.isTTY === true });
const running = await startFeedPollerProcess({ config, logger, clock: systemClock });
await closeOnShutdownSignal({ logger, close: () => running.close() });
