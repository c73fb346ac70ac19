import { Command } from 'commander';

import type { CliContext } from './context.ts';

/** A module under `commands/` adds its commands to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Builds the `depeche` program with every command registered. */
export function buildProgram(ctx: CliContext, registrations: RegisterCommand[]): Command {
  const program = new Command('depeche')
    .description('Dépêche — newsletter production and distribution')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of registrations) register(program, ctx);
  return program;
}
