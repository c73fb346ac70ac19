// Thin entry point of a delivery worker process (what `depeche worker` runs), for process
// managers that start a script: `node --import tsx workers/send-batch.ts`.
import { closeOnShutdownSignal, startWorkerProcess } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger, systemClock } from '../src/lib/index.ts';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.LOG_LEVEL, isPretty: process.stdout.isTTY === true });
const running = await startWorkerProcess({ config, logger, clock: systemClock });
await closeOnShutdownSignal({ logger, close: () => running.close() });
