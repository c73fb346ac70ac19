import { userInfo } from 'node:os';

import { commandLineActor } from '../../editors/index.ts';
import { systemClock, ValidationError } from '../../lib/index.ts';
import {
  hashEmail,
  normalizeEmail,
  type SuppressionReason,
  SuppressionReasonSchema,
} from '../../subscribers/index.ts';
import { type CliContext, printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

async function open(ctx: CliContext, command: string) {
  const { subscribers, audit } = await ctx.app(`depeche suppressions ${command}`);
  const actor = commandLineActor(userInfo().username);
  /** The audit log names the address by its hash: the log outlives an erasure. */
  const record = (action: string, email: string, details: Record<string, unknown>) =>
    audit.append(
      {
        actor,
        action: `suppression.${action}`,
        objectType: 'suppression',
        objectId: hashEmail(normalizeEmail(email)),
        details,
      },
      systemClock.now(),
    );
  return { subscribers, record };
}

function requireReason(value: string | undefined, command: string): string {
  const reason = value?.trim() ?? '';
  if (reason === '' || reason.length > 500) {
    throw new ValidationError(
      `depeche suppressions ${command} needs --reason "…" (1 to 500 characters): it is recorded`,
    );
  }
  return reason;
}

function parseReasonFilter(value: string | undefined): SuppressionReason | undefined {
  if (value === undefined) return undefined;
  const result = SuppressionReasonSchema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      `Unknown suppression reason '${value}': use ${SuppressionReasonSchema.options.join(', ')}`,
    );
  }
  return result.data;
}

/** `depeche suppressions list|add|lift`: addresses that never receive mail, each change recorded. */
export const registerSuppressionsCommands: RegisterCommand = (program, ctx) => {
  const suppressions = program
    .command('suppressions')
    .description('addresses that receive no mail (bounces, complaints, erasures, operators)');

  suppressions
    .command('list')
    .description('suppressions, newest first (the address when a subscriber still has it)')
    .option('--reason <reason>', 'only hard_bounce, soft_bounce, complaint, erased or manual')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print the suppressions as JSON')
    .action(async (options: { reason?: string; limit: string; json?: boolean }) => {
      const reason = parseReasonFilter(options.reason);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        throw new ValidationError(`--limit expects 1 to 100000, got '${options.limit}'`);
      }
      const { subscribers } = await open(ctx, 'list');
      const list = await subscribers.listSuppressions({ reason, limit });
      printResult(ctx, options.json, list, () =>
        list.length === 0
          ? ['No suppressions.']
          : list.map(
              (s) =>
                `${(s.email ?? `(erased) ${s.emailHash.slice(0, 16)}…`).padEnd(40)}  ${s.reason.padEnd(11)}  ${s.createdAt.toISOString()}${s.detail ? `  ${s.detail.slice(0, 120)}` : ''}`,
            ),
      );
    });

  suppressions
    .command('add <email>')
    .description('suppress an address by hand (reason manual)')
    .requiredOption('--reason <text>', 'why, recorded with the suppression and in the audit log')
    .option('--json', 'print the suppression as JSON')
    .action(async (email: string, options: { reason?: string; json?: boolean }) => {
      const reason = requireReason(options.reason, 'add');
      const { subscribers, record } = await open(ctx, 'add');
      const suppression = await subscribers.suppress(email, 'manual', reason, { source: 'cli' });
      await record('add', email, { reason, stored: suppression.reason });
      printResult(ctx, options.json, suppression, () => [
        suppression.reason === 'manual'
          ? `${normalizeEmail(email)} is suppressed (manual: ${reason}).`
          : `${normalizeEmail(email)} stays suppressed as ${suppression.reason} (a stronger reason).`,
      ]);
    });

  suppressions
    .command('lift <email>')
    .description('lift the suppression of an address; its subscriptions keep their status')
    .requiredOption('--reason <text>', 'why, recorded as a consent event and in the audit log')
    .option('--json', 'print the lifted suppression as JSON')
    .action(async (email: string, options: { reason?: string; json?: boolean }) => {
      const reason = requireReason(options.reason, 'lift');
      const { subscribers, record } = await open(ctx, 'lift');
      const lifted = await subscribers.liftSuppression(email, reason, { source: 'cli' });
      if (!lifted) throw new ValidationError(`'${normalizeEmail(email)}' is not suppressed`);
      await record('lift', email, { reason, lifted: lifted.reason });
      printResult(ctx, options.json, lifted, () => [
        `Suppression of ${normalizeEmail(email)} (${lifted.reason}) lifted.`,
      ]);
    });
};
