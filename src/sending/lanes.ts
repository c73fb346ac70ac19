/**
 * At most `size` holders at once, the others waiting in arrival order; a holder gives its place
 * back whenever it is done with it. The batch sender keeps one per process for its lanes (over
 * all its batches, at most that many lanes hold a claimed row) and one for the batches that may
 * still claim rows.
 *
 * Not `lib/concurrency.ts`'s task pool: a pool bounds a task from its start to its end, keeps its
 * first failure and wakes every waiter at once, while a batch gives its place back in the middle
 * of its run (when nothing is left to claim, its last replies still awaited), a failure belongs to
 * its holder, and places go strictly first come, first served.
 */
export function createLanes(size: number) {
  let free = Math.max(1, Math.floor(size));
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };

  return {
    /** Waits for a place; resolves with the function that gives it back (call it once). */
    async acquire(): Promise<() => void> {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        release();
      };
    },
    /** Places free now. */
    freeCount: () => free,
  };
}

/** See {@link createLanes}. */
export type Lanes = ReturnType<typeof createLanes>;
