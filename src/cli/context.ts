import { type Config, loadConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../lib/index.ts';

/**
 * What a command needs from its process: configuration, a logger and somewhere to write.
 * Everything is built lazily, so `depeche check` never touches Redis or the database.
 */
export interface CliContext {
  config(): Config;
  logger(): Logger;
  /** Writes one line of command output to stdout. */
  print(line: string): void;
  /** Registers a resource to release when the command ends. */
  onClose(close: () => Promise<void> | void): void;
  /** Releases every registered resource, last registered first. */
  close(): Promise<void>;
}

/** Builds the context of one CLI invocation from the process environment. */
export function createCliContext(env: Record<string, string | undefined>): CliContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  const closers: Array<() => Promise<void> | void> = [];
  return {
    config() {
      config ??= loadConfig(env);
      return config;
    },
    logger() {
      logger ??= createLogger({
        level: env.LOG_LEVEL ?? 'warn',
        isPretty: process.stderr.isTTY === true,
      });
      return logger;
    },
    print(line) {
      process.stdout.write(`${line}\n`);
    },
    onClose(close) {
      closers.push(close);
    },
    async close() {
      for (const close of closers.reverse()) await close();
      closers.length = 0;
    },
  };
}

/** Prints `data` as JSON when `isJson`, otherwise the human-readable lines. */
export function printResult(
  ctx: CliContext,
  isJson: boolean | undefined,
  data: unknown,
  lines: () => string[],
): void {
  if (isJson) ctx.print(JSON.stringify(data, null, 2));
  else for (const line of lines()) ctx.print(line);
}
