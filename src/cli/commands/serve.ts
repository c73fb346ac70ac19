import { closeOnShutdownSignal, startServeProcess } from '../../app/index.ts';
import { createLogger } from '../../lib/index.ts';
import type { RegisterCommand } from '../program.ts';

/**
 * `depeche serve`: migrates, builds the services, serves the pages and the operations
 * endpoints; with no DATABASE_URL (embedded PGlite, one process) it also runs the workers.
 * Stops on SIGTERM or SIGINT: no new requests or jobs, in-flight ones finish, then exit 0.
 */
export const registerServeCommand: RegisterCommand = (program, ctx) => {
  program
    .command('serve')
    .description(
      'serve the web pages, /healthz /readyz /metrics and /admin/queues (and the workers with embedded PGlite)',
    )
    .option('--port <port>', 'port to listen on (default: PORT)')
    .option('--host <host>', 'address to listen on (default: HOST)')
    .option('--no-workers', 'with embedded PGlite, do not run the workers in this process')
    .action(async (options: { port?: string; host?: string; workers: boolean }) => {
      const config = ctx.config();
      // A server logs at LOG_LEVEL (default info), unlike the one-shot commands.
      const logger = createLogger({
        level: config.LOG_LEVEL,
        isPretty: process.stdout.isTTY === true,
      });
      const running = await startServeProcess({
        config,
        logger,
        host: options.host ?? config.HOST,
        port: options.port === undefined ? config.PORT : Number(options.port),
        isRunningWorkers: config.isEmbeddedDatabase && options.workers,
      });
      ctx.print(`Dépêche is serving on ${running.url}`);
      await closeOnShutdownSignal({ logger, close: () => running.close() });
    });
};
