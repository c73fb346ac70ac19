import { readFile } from 'node:fs/promises';

import {
  closeOnShutdownSignal,
  openAll,
  openDatabase,
  readMailboxFromConfig,
  startInboundRuntime,
  startMailboxRuntime,
} from '../../app/index.ts';
import { type ProcessResult } from '../../bounces/index.ts';
import { createLogger, systemClock, ValidationError } from '../../lib/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

function describeResult(file: string, result: ProcessResult): string {
  const effects = result.effects.length > 0 ? `: ${result.effects.join(', ')}` : '';
  const delivery =
    result.deliveryId === null ? '' : ` delivery ${result.deliveryId} (${result.matchedBy})`;
  return `${file}: ${result.type}, ${result.outcome}${delivery}${effects}`;
}

/**
 * `depeche inbound`: the SMTP server of bounces, complaints and mailto unsubscribes, until
 * SIGTERM or SIGINT. Point the MX of BOUNCE_ADDRESS's domain (or a relay) at it.
 */
export const registerInboundCommand: RegisterCommand = (program, ctx) => {
  program
    .command('inbound')
    .description(
      'receive bounces, complaints and mailto unsubscribes by SMTP (INBOUND_HOST:INBOUND_PORT) until stopped',
    )
    .option('--port <port>', 'port to listen on (default: INBOUND_PORT)')
    .option('--no-smtp', 'no SMTP server: only read the INBOUND_IMAP_URL mailbox')
    .action(async (options: { port?: string; smtp: boolean }) => {
      const config = ctx.config();
      const logger = createLogger({
        level: config.LOG_LEVEL,
        isPretty: process.stdout.isTTY === true,
      });
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new ValidationError(`--port expects a port number, got '${options.port}'`);
      }
      if (!options.smtp && config.INBOUND_IMAP_URL === undefined) {
        throw new ValidationError(
          '--no-smtp leaves nothing to do: set INBOUND_IMAP_URL to read a mailbox',
        );
      }
      const running = await openAll(logger, async (stack) => {
        const database = await openDatabase(stack, { config, logger, holder: 'depeche inbound' });
        const clock = systemClock;
        const server = options.smtp
          ? await startInboundRuntime({
              config,
              database,
              logger,
              clock,
              ...(port === undefined ? {} : { port }),
            })
          : undefined;
        if (server) stack.defer('inbound-smtp', () => server.close());
        const mailbox =
          config.INBOUND_IMAP_URL === undefined
            ? undefined
            : startMailboxRuntime({ config, database, logger, clock });
        if (mailbox) stack.defer('mailbox', () => mailbox.close());
        return { server, mailbox };
      });
      if (running.server) {
        ctx.print(
          `Dépêche inbound is receiving mail for ${config.BOUNCE_ADDRESS ?? ''} on ${config.INBOUND_HOST}:${running.server.port}`,
        );
      }
      if (running.mailbox) {
        const url = new URL(config.INBOUND_IMAP_URL ?? '');
        ctx.print(
          `Dépêche inbound reads the mailbox ${url.hostname}${url.pathname} every ${config.INBOUND_IMAP_INTERVAL_SEC} s`,
        );
      }
      await closeOnShutdownSignal({ logger, close: () => running.close() });
    });
};

/** `depeche bounces process FILE…`: processes saved messages (.eml) by hand. */
export const registerBouncesCommands: RegisterCommand = (program, ctx) => {
  const bounces = program
    .command('bounces')
    .description('bounces, complaints and mailto unsubscribes');

  bounces
    .command('process <files...>')
    .description('process saved messages (.eml): bounces, complaints, mailto unsubscribes')
    .option('--json', 'print the outcome of each file as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const { bounces: service } = (await ctx.app('depeche bounces process')).bounces;
      const results: Array<{ file: string } & ProcessResult> = [];
      for (const file of files) {
        let raw: Buffer;
        try {
          raw = await readFile(file);
        } catch (error) {
          throw new ValidationError(`Cannot read '${file}': ${(error as Error).message}`);
        }
        results.push({ file, ...(await service.process({ raw, source: 'file' })) });
      }
      printResult(ctx, options.json, results, () => results.map((r) => describeResult(r.file, r)));
    });

  bounces
    .command('fetch')
    .description(
      'read the INBOUND_IMAP_URL mailbox once: process each message, move it to INBOUND_IMAP_DONE_FOLDER',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = ctx.config();
      const app = await ctx.app('depeche bounces fetch');
      const result = await readMailboxFromConfig(app);
      printResult(ctx, options.json, result, () => [
        `${result.processed} messages processed and moved to ${config.INBOUND_IMAP_DONE_FOLDER}` +
          (result.failed > 0 ? `; ${result.failed} failed, left in place for the next read` : ''),
      ]);
    });
};
