import { buildSubscriberService } from './app/subscriber-stores.ts';
import { type Config, resolveSecretKeys } from './config/index.ts';
import type { DatabaseHandle } from './db/index.ts';
import type { Clock, Logger } from './lib/index.ts';
import { createTokenSigner } from './subscribers/index.ts';

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
    subscribers: buildSubscriberService({
      db: deps.database.db,
      clock: deps.clock,
      logger: deps.logger,
    }),
    tokens: createTokenSigner(resolveSecretKeys(deps.config)),
  };
}

/** Every service of the process. */
export type Services = ReturnType<typeof buildServices>;
