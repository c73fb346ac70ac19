import { ConfigError } from '../config/index.ts';
import { AppError, describeDatabaseError } from '../lib/index.ts';
import { loadCommands } from './commands/index.ts';
import { createCliContext } from './context.ts';
import { buildProgram } from './program.ts';

const ctx = createCliContext(process.env);
const program = buildProgram(ctx, await loadCommands(process.argv.slice(2)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One place where errors become text: a clear line for expected errors, the stack otherwise.
  const database = describeDatabaseError(error);
  if (error instanceof ConfigError || error instanceof AppError) {
    process.stderr.write(`depeche: ${error.message}\n`);
  } else if (database !== undefined) {
    // cause first, the statement truncated, its values never: not drizzle's "Failed query: …"
    process.stderr.write(`depeche: ${database.message}\n`);
  } else {
    process.stderr.write(
      `depeche: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
} finally {
  await ctx.close();
}
