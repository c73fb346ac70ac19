import type { RegisterCommand } from '../program.ts';
import { registerCheckCommand } from './check.ts';
import { registerDbCommands } from './db.ts';
import { registerRenderCommand } from './render.ts';

/** Every command module, in the order `depeche --help` lists them. */
export const commands: RegisterCommand[] = [registerCheckCommand, registerDbCommands, registerRenderCommand];
