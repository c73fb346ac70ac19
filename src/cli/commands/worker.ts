import { closeOnShutdownSignal, startWorkerProcess } from '../../app/index.ts';
import { createLogger, systemClock } from '../../lib/index.ts';
import type { RegisterCommand } from '../program.ts';

/**
 * `depeche worker`: migrates the database and runs the BullMQ workers (campaign fan-out, send
 * batches, scheduled starts, confirmation messages, scheduled feed polling) until SIGTERM or
 * SIGINT; then it stops taking jobs, lets the jobs in flight finish and exits. Start as many as
 * you like on PostgreSQL.
 */
export const registerWorkerCommand: RegisterCommand = (program, ctx) => {
  program
    .command('worker')
    .description(
      'run the workers (campaign fan-out and sending, scheduled campaigns, confirmation mail, feed polling) until stopped',
    )
    .action(async () => {
      const config = ctx.config();
      const logger = createLogger({
        level: config.LOG_LEVEL,
        isPretty: process.stdout.isTTY === true,
      });
      const running = await startWorkerProcess({ config, logger, clock: systemClock });
      ctx.print(
        `Dépêche worker ${process.pid} started (concurrency ${config.SEND_CONCURRENCY}, ` +
          `${config.SEND_RATE_PER_SECOND} messages/s and ${config.SEND_RATE_PER_HOUR}/h shared).`,
      );
      await closeOnShutdownSignal({ logger, close: () => running.close() });
    });
};
