/**
 * A bounded pool of running tasks: {@link TaskPool.start} waits until fewer than `limit` tasks
 * run, then starts one without waiting for it to finish, so the caller can prepare the next task
 * (parse the next batch of a file) while the others run. The first failure of a task is kept and
 * thrown by the next `start` or `drain`: nothing new starts after a failure.
 *
 * @param limit - tasks running at once; a fraction is rounded down, below 1 is 1, `Infinity` is
 *   no bound.
 */
export function createTaskPool(limit: number): TaskPool {
  if (Number.isNaN(limit)) throw new RangeError('the limit of a task pool must be a number');
  const size = Math.max(1, Math.floor(limit));
  let running = 0;
  let failure: { error: unknown } | undefined;
  let waiters: Array<() => void> = [];

  const finished = () => {
    running -= 1;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const nextFinish = () => new Promise<void>((resolve) => waiters.push(resolve));
  const untilAtMost = async (count: number) => {
    while (running > count) await nextFinish();
  };
  const rethrow = () => {
    if (failure) throw failure.error;
  };

  return {
    async start(task) {
      // no await between this check and the count going up: concurrent callers never overfill
      while (running >= size) await nextFinish();
      rethrow();
      running += 1;
      let started: Promise<unknown>;
      try {
        started = task();
      } catch (error) {
        started = Promise.reject(error);
      }
      void started
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(finished);
    },
    async drain() {
      await untilAtMost(0);
      rethrow();
    },
    settle: () => untilAtMost(0),
    runningCount: () => running,
  };
}

/** See {@link createTaskPool}. */
export interface TaskPool {
  /**
   * Waits for a free place, then starts `task` and returns without waiting for it. Throws the
   * first failure of an earlier task instead of starting this one.
   */
  start(task: () => Promise<unknown>): Promise<void>;
  /** Waits for every started task to finish; throws the first failure, if any. */
  drain(): Promise<void>;
  /** Waits for every started task to finish, never throwing (before closing what they use). */
  settle(): Promise<void>;
  /** Tasks running now. */
  runningCount(): number;
}

/**
 * Runs `work` over `items` with at most `limit` running at once and returns every outcome in
 * input order, like `Promise.allSettled`: one rejection never stops the others.
 */
export async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  const pool = createTaskPool(limit);
  for (const [index, item] of items.entries()) {
    await pool.start(async () => {
      try {
        results[index] = { status: 'fulfilled', value: await work(item) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    });
  }
  await pool.drain();
  return results;
}
