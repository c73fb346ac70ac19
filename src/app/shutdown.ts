import type { Logger } from '../lib/index.ts';

/** Options of {@link waitForShutdownSignal}. */
export interface ShutdownOptions {
  logger: Logger;
  /** Time the shutdown may take after the signal before the process exits anyway. @defaultValue 25000 */
  graceMs?: number;
  /** @defaultValue ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

/**
 * Resolves on the first SIGTERM or SIGINT, close-with-grace style: from then on the caller has
 * `graceMs` to stop taking work, drain what is in flight and release its resources; past that,
 * or on a second signal, the process exits with code 1. The timer is unref'd, so a clean
 * shutdown never waits for it.
 */
export function waitForShutdownSignal(options: ShutdownOptions): Promise<NodeJS.Signals> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const graceMs = options.graceMs ?? 25_000;
  const log = options.logger.child({ component: 'shutdown' });
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of signals) process.removeListener(name, onSignal);
      log.info({ signal, graceMs }, 'shutting down: finishing work in flight');
      const force = () => {
        log.error({ event: 'process.forced_exit', signal }, 'shutdown did not finish, exiting');
        process.exit(1);
      };
      setTimeout(force, graceMs).unref();
      for (const name of signals) process.once(name, force);
      resolve(signal);
    };
    for (const name of signals) process.on(name, onSignal);
  });
}

/**
 * Called once every resource is closed: if something still holds the event loop (a socket a
 * library forgot), exit anyway after `delayMs` rather than hang an orchestrator's stop.
 */
export function exitIfStillAlive(delayMs = 2000): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), delayMs).unref();
}

/**
 * What a long-running command does once started: waits for SIGTERM or SIGINT, closes what it
 * runs (stop taking work, drain, release), then makes sure the process ends.
 */
export async function closeOnShutdownSignal(
  options: ShutdownOptions & { close(): Promise<void> },
): Promise<void> {
  await waitForShutdownSignal(options);
  await options.close();
  exitIfStillAlive();
}
