import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify';

import { openTransactionalMail } from '../../app/resources.ts';
import { loadNewsletters } from '../../content/index.ts';
import { AppError, ValidationError } from '../../lib/index.ts';
import { ConfirmationJobSchema, confirmationReminderJobId } from '../../queue/index.ts';
import {
  type ConsentMeta,
  exportColumns,
  exportRecord,
  type ImportSummary,
  parseCareerStage,
  parseCountry,
  parseLocale,
  type ProfilePatch,
  type SubscriberService,
  type SubscriptionStatus,
  SubscriptionStatusSchema,
} from '../../subscribers/index.ts';
import { type CliContext, printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

const cliMeta: ConsentMeta = { source: 'cli' };

async function openService(ctx: CliContext, command: string): Promise<SubscriberService> {
  return (await ctx.app(`depeche subscribers ${command}`)).subscribers;
}

function parseStatus(value: string | undefined): SubscriptionStatus | undefined {
  if (value === undefined) return undefined;
  const result = SubscriptionStatusSchema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(`Unknown status '${value}': use pending, active or unsubscribed`);
  }
  return result.data;
}

function summaryLines(file: string, summary: ImportSummary): string[] {
  const verb = summary.isDryRun ? 'Dry run (nothing written) of' : 'Imported';
  return [
    `${verb} '${file}' into ${summary.newsletterId}: ${summary.created} created, ` +
      `${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.suppressed} suppressed, ` +
      `${summary.skipped} skipped, ${summary.invalid} invalid (${summary.rows} rows)` +
      (summary.encoding === 'windows-1252'
        ? '; read as Windows-1252 (not UTF-8)'
        : summary.encoding.startsWith('utf-16')
          ? `; read as ${summary.encoding.toUpperCase()} (Unicode text)`
          : ''),
    ...summary.invalidRows.map((row) => `  line ${row.line}: ${row.reason}`),
    ...(summary.invalid > summary.invalidRows.length
      ? [`  … and ${summary.invalid - summary.invalidRows.length} more invalid rows`]
      : []),
  ];
}

function registerImport(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('import')
    .argument('<file>', 'CSV file (UTF-8 with or without BOM, or Windows-1252; `,`, `;` or tab)')
    .description(
      'import subscribers of a newsletter from a CSV file (columns named in French or English)',
    )
    .requiredOption('--newsletter <id>', 'newsletter the rows subscribe to')
    .option(
      '--confirmed',
      'the office holds their consent: subscriptions active at once (default: pending)',
    )
    .option('--dry-run', 'read and check everything, write nothing')
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        file: string,
        options: { newsletter: string; confirmed?: boolean; dryRun?: boolean; json?: boolean },
      ) => {
        const size = await stat(file).then(
          (s) => s.size,
          () => {
            throw new AppError('ENOENT', `Cannot read '${file}': no such file`);
          },
        );
        const app = await ctx.app('depeche subscribers import');
        const service = app.subscribers;
        const bar = process.stderr.isTTY
          ? new SingleBar({
              stream: process.stderr,
              format: 'import |{bar}| {percentage}% | {rows} rows',
              hideCursor: true,
            })
          : undefined;
        bar?.start(size, 0, { rows: 0 });
        try {
          const summary = await service.importCsv(createReadStream(file), {
            newsletterId: options.newsletter,
            isConfirmed: options.confirmed === true,
            isDryRun: options.dryRun === true,
            fileName: path.basename(file),
            // PostgreSQL writes a few batches at once over the pool; PGlite serves one at a time
            concurrency: app.database.kind === 'postgres' ? 3 : 1,
            onProgress: ({ bytesRead, rows }) => bar?.update(Math.min(bytesRead, size), { rows }),
          });
          bar?.update(size, { rows: summary.rows });
          bar?.stop();
          printResult(ctx, options.json, summary, () => summaryLines(file, summary));
          if (summary.invalid > 0) process.exitCode = 1;
        } finally {
          bar?.stop();
        }
      },
    );
}

function registerExport(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('export')
    .description('write subscribers as CSV to standard output (one row per subscription)')
    .option('--newsletter <id>', 'only subscriptions to this newsletter')
    .option(
      '--status <status>',
      'only subscriptions in this status (pending, active, unsubscribed)',
    )
    .action(async (options: { newsletter?: string; status?: string }) => {
      const status = parseStatus(options.status);
      const service = await openService(ctx, 'export');
      const stringifier = stringify({ header: true, columns: [...exportColumns] });
      const producing = (async () => {
        for await (const row of service.exportRows({ newsletterId: options.newsletter, status })) {
          const record = exportRecord(row);
          if (!stringifier.write(record)) await once(stringifier, 'drain');
        }
        stringifier.end();
      })();
      producing.catch((error: unknown) => stringifier.destroy(error as Error));
      for await (const chunk of stringifier) {
        if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
      }
      await producing;
    });
}

function registerAddRemove(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('add')
    .argument('<email>')
    .description('subscribe an address to a newsletter (pending unless --confirmed)')
    .requiredOption('--newsletter <id>', 'newsletter id')
    .option('--name <name>')
    .option('--locale <locale>', 'fr or en')
    .option('--country <code>', 'ISO 3166 alpha-2 country of residence')
    .option('--field <field>', 'research field')
    .option('--stage <stage>', 'career stage: doctoral, postdoc, early-career, established, other')
    .option('--confirmed', 'the office holds their consent: active at once')
    .option('--force', 'lift a suppression (hard bounce, complaint, erased, manual)')
    .option('--json', 'print the result as JSON')
    .action(async (email: string, options: Record<string, string | boolean | undefined>) => {
      const text = (key: string) =>
        typeof options[key] === 'string' ? (options[key] as string) : undefined;
      const profile: ProfilePatch = {};
      const name = text('name')?.trim();
      if (name) profile.name = name.slice(0, 200);
      const field = text('field')?.trim();
      if (field) profile.researchField = field.slice(0, 200);
      const parsers = [
        ['locale', 'locale', parseLocale],
        ['country', 'country', parseCountry],
        ['stage', 'careerStage', parseCareerStage],
      ] as const;
      for (const [option, key, parse] of parsers) {
        const value = text(option);
        if (value === undefined) continue;
        const parsed = parse(value);
        if (!parsed.ok) throw new ValidationError(`--${option}: ${parsed.reason}`);
        (profile as Record<string, unknown>)[key] = parsed.value;
      }
      const service = await openService(ctx, 'add');
      const result = await service.add(
        {
          email,
          newsletterId: String(options.newsletter),
          profile,
          isConfirmed: options.confirmed === true,
          isForced: options.force === true,
        },
        cliMeta,
      );
      const status = result.subscriptions.find(
        (s) => s.newsletterId === options.newsletter,
      )?.status;
      printResult(ctx, options.json === true, result, () => [
        `${result.subscriber.email}: ${result.outcome}, ${String(options.newsletter)} ${status ?? ''}` +
          (result.liftedSuppression ? ` (suppression '${result.liftedSuppression}' lifted)` : ''),
      ]);
    });

  subscribers
    .command('remove')
    .argument('<email>')
    .description('unsubscribe an address from one newsletter, or from all')
    .option('--newsletter <id>', 'newsletter id (default: all)')
    .option('--json', 'print the result as JSON')
    .action(async (email: string, options: { newsletter?: string; json?: boolean }) => {
      const service = await openService(ctx, 'remove');
      const result = await service.remove(email, options.newsletter, cliMeta);
      printResult(ctx, options.json, result, () => [
        result.unsubscribedNewsletterIds.length === 0
          ? `${email}: nothing to unsubscribe`
          : `${email}: unsubscribed from ${result.unsubscribedNewsletterIds.join(', ')}`,
      ]);
    });
}

function registerQueries(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('list')
    .description('list subscribers and their subscriptions')
    .option('--newsletter <id>', 'only subscriptions to this newsletter')
    .option('--status <status>', 'only subscriptions in this status')
    .option('--limit <n>', 'rows at most', '50')
    .option('--json', 'print the rows as JSON')
    .action(
      async (options: { newsletter?: string; status?: string; limit: string; json?: boolean }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
          throw new ValidationError(
            `--limit '${options.limit}' must be a whole number from 1 to 100000`,
          );
        }
        const service = await openService(ctx, 'list');
        const rows = await service.list(
          { newsletterId: options.newsletter, status: parseStatus(options.status) },
          { limit },
        );
        printResult(ctx, options.json, rows, () =>
          rows.length === 0
            ? ['No subscribers.']
            : rows.map((row) =>
                [
                  String(row.id).padStart(7),
                  row.email.padEnd(36),
                  (row.newsletterId ?? '-').padEnd(18),
                  (row.status ?? '-').padEnd(13),
                  row.name ?? '',
                ].join(' '),
              ),
        );
      },
    );

  subscribers
    .command('stats')
    .description('subscriptions per newsletter and status, suppressions per reason')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { json?: boolean }) => {
      const stats = await (await openService(ctx, 'stats')).stats();
      printResult(ctx, options.json, stats, () => [
        `${stats.subscribers} subscribers`,
        `${'newsletter'.padEnd(20)} ${'pending'.padStart(9)} ${'active'.padStart(9)} ${'unsubscribed'.padStart(13)}`,
        ...stats.newsletters.map(
          (n) =>
            `${n.newsletterId.padEnd(20)} ${String(n.pending).padStart(9)} ${String(n.active).padStart(9)} ${String(n.unsubscribed).padStart(13)}`,
        ),
        `suppressions: ${
          Object.entries(stats.suppressions)
            .map(([reason, n]) => `${reason} ${n}`)
            .join(', ') || 'none'
        }`,
      ]);
    });
}

function registerDataRights(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('export-data')
    .argument('<email>')
    .description('print as JSON all data held about an address (GDPR art. 15 and 20)')
    .action(async (email: string) => {
      const data = await (await openService(ctx, 'export-data')).exportData(email);
      ctx.print(JSON.stringify(data, null, 2));
    });

  subscribers
    .command('erase')
    .argument('<email>')
    .description('erase an address (GDPR art. 17): data deleted, deliveries anonymised, hash kept')
    .option('--json', 'print the result as JSON')
    .action(async (email: string, options: { json?: boolean }) => {
      const result = await (await openService(ctx, 'erase')).erase(email, cliMeta);
      printResult(ctx, options.json, result, () => [
        `${result.wasSubscriber ? 'Erased' : 'No subscriber had'} '${email}': ` +
          `${result.subscriptionsDeleted} subscriptions deleted, ${result.consentEventsDetached} ` +
          `consent events detached, ${result.deliveriesAnonymised} deliveries anonymised; ` +
          'its hash is kept in suppressions so that it is not imported again',
      ]);
    });
}

function registerRetention(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('retention')
    .description(
      'apply the retention periods now (the workers do it daily): delete requests never ' +
        'confirmed after RETENTION_PENDING_DAYS, erase people unsubscribed from everything ' +
        'for RETENTION_UNSUBSCRIBED_DAYS',
    )
    .option('--dry-run', 'count what would be deleted and erased, change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const config = ctx.config();
      const policy = {
        pendingDays: config.RETENTION_PENDING_DAYS,
        unsubscribedDays: config.RETENTION_UNSUBSCRIBED_DAYS,
      };
      const service = await openService(ctx, 'retention');
      const result = await service.applyRetention(policy, { isDryRun: options.dryRun ?? false });
      const verb = result.isDryRun ? 'would be' : 'were';
      printResult(ctx, options.json, result, () => [
        `${result.pendingDeleted} subscription requests unconfirmed after ${policy.pendingDays} days ${verb} deleted` +
          (result.isDryRun
            ? ''
            : ` (${result.unconfirmedSubscribersDeleted} subscribers with nothing else)`),
        `${result.unsubscribedErased} people unsubscribed from everything for ${policy.unsubscribedDays} days ${verb} erased (address hash kept)`,
      ]);
    });
}

/** Claimed and enqueued per step of `send-confirmations`. */
const CONFIRMATION_STEP = 500;

function registerSendConfirmations(subscribers: Command, ctx: CliContext): void {
  subscribers
    .command('send-confirmations')
    .description(
      'send the opt-in mail to the pending subscriptions of a newsletter (made by add or ' +
        'import without --confirmed); an address gets it at most once in 7 days',
    )
    .requiredOption('--newsletter <id>', 'newsletter id')
    .option('--per-minute <n>', 'messages per minute, spread by the queue', '30')
    .option('--limit <n>', 'at most this many addresses in this run')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        newsletter: string;
        perMinute: string;
        limit?: string;
        json?: boolean;
      }) => {
        const perMinute = parsePositive(options.perMinute, '--per-minute');
        const limit =
          options.limit === undefined
            ? Number.MAX_SAFE_INTEGER
            : parsePositive(options.limit, '--limit');
        const config = ctx.config();
        const known = (await loadNewsletters(config.ISSUES_DIR)).map((n) => n.id);
        if (!known.includes(options.newsletter)) {
          throw new ValidationError(
            `Unknown newsletter '${options.newsletter}': expected one of ${known.join(', ')}`,
          );
        }
        // Redis first: an address is marked sent when it is taken, so it must be queued too.
        const { redis, queue } = openTransactionalMail(ctx, { config, name: 'depeche-cli' });
        await redis.ping().catch((error: unknown) => {
          throw new AppError(
            'EREDIS',
            `Redis does not answer at REDIS_URL (${error instanceof Error ? error.message : String(error)}); nothing was sent`,
          );
        });
        const service = await openService(ctx, 'send-confirmations');
        const spacingMs = 60_000 / perMinute;
        const week = Math.floor(Date.now() / (7 * 86_400_000));
        let queued = 0;
        while (queued < limit) {
          const due = await service.claimConfirmationReminders(
            options.newsletter,
            Math.min(CONFIRMATION_STEP, limit - queued),
          );
          if (due.length === 0) break;
          await queue.addBulk(
            due.map((reminder, index) => ({
              name: 'confirm',
              data: ConfirmationJobSchema.parse({ kind: 'confirm', ...reminder }),
              opts: {
                jobId: confirmationReminderJobId(reminder, week),
                delay: Math.round((queued + index) * spacingMs),
              },
            })),
          );
          queued += due.length;
        }
        const minutes = Math.ceil(queued / perMinute);
        printResult(
          ctx,
          options.json,
          { newsletterId: options.newsletter, queued, perMinute },
          () => [
            queued === 0
              ? `No pending subscription of '${options.newsletter}' is due an opt-in mail (each address gets one at most every 7 days)`
              : `${queued} opt-in mails queued for '${options.newsletter}', ${perMinute} per minute: sent by the workers within about ${minutes} min`,
          ],
        );
      },
    );
}

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new ValidationError(`${flag} expects a whole number above 0 (got '${value}')`);
  }
  return n;
}

/** `depeche subscribers import|export|add|remove|list|stats|export-data|erase|retention|send-confirmations`. */
export const registerSubscriberCommands: RegisterCommand = (program, ctx) => {
  const subscribers = program
    .command('subscribers')
    .description('subscribers, consent and data rights');
  registerImport(subscribers, ctx);
  registerExport(subscribers, ctx);
  registerAddRemove(subscribers, ctx);
  registerQueries(subscribers, ctx);
  registerDataRights(subscribers, ctx);
  registerRetention(subscribers, ctx);
  registerSendConfirmations(subscribers, ctx);
};
