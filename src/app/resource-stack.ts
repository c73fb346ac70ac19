import type { Logger } from '../lib/index.ts';

/**
 * What a process has opened, closed last opened first: the HTTP server stops before the workers
 * drain, the workers before Redis, Redis before the database. A failing close is logged and the
 * next one still runs, so one stuck resource never keeps the others open.
 */
export interface ResourceStack {
  /** Registers how to release a resource just opened. */
  defer(name: string, close: () => Promise<void> | void): void;
  /** Releases every registered resource in reverse order; the stack is empty afterwards. */
  close(): Promise<void>;
}

export function createResourceStack(logger: Logger): ResourceStack {
  const closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  return {
    defer(name, close) {
      closers.push({ name, close });
    },
    async close() {
      while (closers.length > 0) {
        const { name, close } = closers.pop()!;
        try {
          await close();
        } catch (error) {
          logger.warn({ err: error, resource: name }, 'close failed');
        }
      }
    },
  };
}
