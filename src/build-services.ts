import type { Config } from './config/index.ts';
import type { DatabaseHandle } from './db/index.ts';
import type { Clock, Logger } from './lib/index.ts';

/** What the composition root needs from an entry point. */
export interface ServiceDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: DatabaseHandle;
}

/**
 * The one composition root: entry points (`cli/`, `workers/`, `web/server.ts`) build the
 * process-level resources and call this to wire every service. Modules never build their own
 * dependencies.
 */
export function buildServices(deps: ServiceDeps) {
  return {
    config: deps.config,
    logger: deps.logger,
    clock: deps.clock,
    database: deps.database,
  };
}

/** Every service of the process. */
export type Services = ReturnType<typeof buildServices>;
