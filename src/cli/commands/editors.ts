import { userInfo } from 'node:os';

import { commandLineActor, describeActor, type Editor } from '../../editors/index.ts';
import { ValidationError } from '../../lib/index.ts';
import { type CliContext, printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

async function openAccounts(ctx: CliContext, command: string) {
  const app = await ctx.app(`depeche ${command}`);
  return {
    accounts: app.editors.accounts,
    audit: app.audit,
    actor: commandLineActor(userInfo().username),
  };
}

function line(editor: Editor): string {
  const state = editor.disabledAt ? `disabled ${editor.disabledAt.toISOString()}` : 'active';
  const last = editor.lastSignInAt ? editor.lastSignInAt.toISOString() : 'never signed in';
  return `${editor.email.padEnd(32)}  ${editor.role.padEnd(9)}  ${state}  ${last}${editor.name ? `  ${editor.name}` : ''}`;
}

/** `depeche editors add|list|disable|role`: the workspace's accounts. */
export const registerEditorsCommands: RegisterCommand = (program, ctx) => {
  const editors = program.command('editors').description("editors' workspace accounts");

  editors
    .command('add <email>')
    .description('create an account (the first admin is made this way)')
    .requiredOption('--role <role>', 'admin, publisher or editor')
    .option('--name <name>', 'the name shown in the workspace')
    .option('--json', 'print the account as JSON')
    .action(async (email: string, options: { role: string; name?: string; json?: boolean }) => {
      const { accounts, actor } = await openAccounts(ctx, 'editors add');
      const created = await accounts.add(actor, { email, role: options.role, name: options.name });
      printResult(ctx, options.json, created, () => [
        `Editor ${created.email} added as ${created.role}.`,
      ]);
    });

  editors
    .command('list')
    .description('every account')
    .option('--json', 'print the accounts as JSON')
    .action(async (options: { json?: boolean }) => {
      const { accounts } = await openAccounts(ctx, 'editors list');
      const list = await accounts.list();
      printResult(ctx, options.json, list, () =>
        list.length === 0 ? ['No editors.'] : list.map(line),
      );
    });

  editors
    .command('disable <email>')
    .description('disable an account; its sessions end at once')
    .option('--json', 'print the account as JSON')
    .action(async (email: string, options: { json?: boolean }) => {
      const { accounts, actor } = await openAccounts(ctx, 'editors disable');
      const editor = await accounts.disable(actor, email);
      printResult(ctx, options.json, editor, () => [`Editor ${editor.email} is disabled.`]);
    });

  editors
    .command('role <email> <role>')
    .description("change an account's role; its sessions end at once")
    .option('--json', 'print the account as JSON')
    .action(async (email: string, role: string, options: { json?: boolean }) => {
      const { accounts, actor } = await openAccounts(ctx, 'editors role');
      const editor = await accounts.changeRole(actor, email, role);
      printResult(ctx, options.json, editor, () => [`Editor ${editor.email} is ${editor.role}.`]);
    });
};

/** `depeche audit list`: who did what, newest first. */
export const registerAuditCommands: RegisterCommand = (program, ctx) => {
  program
    .command('audit')
    .description('the audit log of editors and operators')
    .command('list')
    .description('entries, newest first')
    .option('--since <date>', 'only entries at or after this ISO 8601 date or date-time')
    .option('--actor <actor>', 'an editor address, an OS user, or "command line"')
    .option('--action <action>', 'only this action, e.g. campaign.send')
    .option('--json', 'print the entries as JSON')
    .action(
      async (options: { since?: string; actor?: string; action?: string; json?: boolean }) => {
        let since: Date | undefined;
        if (options.since !== undefined) {
          since = new Date(options.since);
          if (!/^\d{4}-\d{2}-\d{2}/.test(options.since) || Number.isNaN(since.getTime())) {
            throw new ValidationError(`--since '${options.since}' is not an ISO 8601 date`);
          }
        }
        const { audit } = await openAccounts(ctx, 'audit list');
        const entries = await audit.list({
          ...(since ? { since } : {}),
          ...(options.actor ? { actor: options.actor } : {}),
          ...(options.action ? { action: options.action } : {}),
          limit: 1000,
        });
        printResult(ctx, options.json, entries, () =>
          entries.length === 0
            ? ['No audit entries.']
            : entries.map(
                (e) =>
                  `${e.at.toISOString()}  ${describeActor(e.actor).padEnd(28)}  ${e.action.padEnd(18)}  ${e.objectType ?? ''}${e.objectId ? ` ${e.objectId}` : ''}  ${JSON.stringify(e.details)}`,
              ),
        );
      },
    );
};
