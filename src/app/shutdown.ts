import closeWithGrace from 'close-with-grace';

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
 * Resolves on the first SIGTERM or SIGINT (for a command that goes on after it, as the demo
 * does; {@link closeOnShutdownSignal} otherwise): from then on the caller has
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

/** What close-with-grace also answers by default; our processes stop on SIGTERM and SIGINT only. */
const notShutdownEvents: closeWithGrace.AllEvents[] = [
  'SIGHUP',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGSEGV',
  'SIGUSR2',
  // an uncaught error crashes the process as Node does; a command ends with its own exit code
  'uncaughtException',
  'unhandledRejection',
  'beforeExit',
];

/**
 * What a long-running command does once started (`serve`, `worker`, `inbound`, `workers/*`):
 * on the first SIGTERM or SIGINT, `close()` has `graceMs` to stop taking work, drain what is in
 * flight and release its resources, then the process exits 0 (1 if closing failed). Past the
 * delay, or on a second signal, it exits 1 at once. The returned promise never settles: the
 * process ends here.
 */
export function closeOnShutdownSignal(
  options: Omit<ShutdownOptions, 'signals'> & { close(): Promise<void> },
): Promise<never> {
  const graceMs = options.graceMs ?? 25_000;
  const log = options.logger.child({ component: 'shutdown' });
  const forced = (signal?: string) =>
    log.error({ event: 'process.forced_exit', signal }, 'shutdown did not finish, exiting');
  closeWithGrace(
    {
      delay: graceMs,
      logger: false,
      skip: notShutdownEvents,
      onSecondSignal: (signal) => forced(signal),
      onTimeout: () => forced(),
    },
    async ({ signal }) => {
      log.info({ signal, graceMs }, 'shutting down: finishing work in flight');
      try {
        await options.close();
      } catch (error) {
        log.error({ err: error }, 'shutdown failed');
        throw error;
      }
    },
  );
  return new Promise<never>(() => undefined);
}
