/**
 * A counting semaphore: at most `size` holders at once, the others wait in arrival order. The
 * batch sender uses one per process so that, over all its batches, at most that many lanes hold a
 * claimed row.
 */
export function createSendSlots(size: number) {
  let free = Math.max(1, Math.floor(size));
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };

  return {
    /** Waits for a slot; resolves with the function that gives it back (call it once). */
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
    /** Slots free now. */
    freeCount: () => free,
  };
}

/** See {@link createSendSlots}. */
export type SendSlots = ReturnType<typeof createSendSlots>;
