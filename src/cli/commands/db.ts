import { migrate, openDatabaseFromConfig } from '../../db/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

/** `depeche db migrate`. */
export const registerDbCommands: RegisterCommand = (program, ctx) => {
  const db = program.command('db').description('database administration');
  db.command('migrate')
    .description('apply the migrations not yet applied (also done by serve and worker)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const handle = await openDatabaseFromConfig(ctx.config(), `depeche db migrate`);
      ctx.onClose(() => handle.close());
      const applied = await migrate(handle);
      printResult(ctx, options.json, { applied }, () =>
        applied.length === 0
          ? ['Database is up to date.']
          : applied.map((name) => `applied ${name}`),
      );
    });
};
