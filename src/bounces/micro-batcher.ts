/** Options of {@link createMicroBatcher}. */
export interface MicroBatcherOptions<I, O> {
  /** Most items one run takes. */
  maxSize: number;
  /** How long the first item of an idle batcher waits for others before a run starts. */
  maxWaitMs: number;
  /** Handles a batch; resolves to one output per item, in order. */
  run: (items: I[]) => Promise<O[]>;
}

/** A running {@link createMicroBatcher}. */
export interface MicroBatcher<I, O> {
  /** Resolves with the item's output once the run that took it resolved. */
  add(item: I): Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups items handed over one by one into runs of at most `maxSize`, one run at a time: the
 * first item waits `maxWaitMs` (or until `maxSize` are there), and whatever arrives during a
 * run forms the next one, which starts as soon as it ends — the busier, the larger the runs.
 * Each item's promise settles only after the run that took it settled. A run that fails is
 * tried again item by item, so that one failing item fails alone.
 */
export function createMicroBatcher<I, O>(options: MicroBatcherOptions<I, O>): MicroBatcher<I, O> {
  const queue: Array<Waiting<I, O>> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  async function runOne(batch: Array<Waiting<I, O>>): Promise<void> {
    const outputs = await options.run(batch.map((w) => w.item));
    if (outputs.length !== batch.length) {
      throw new Error(`batch of ${batch.length} answered with ${outputs.length} outputs`);
    }
    batch.forEach((w, i) => w.resolve(outputs[i] as O));
  }

  async function settle(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      await runOne(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const waiting of batch) {
        await runOne([waiting]).catch((alone: unknown) => waiting.reject(alone));
      }
    }
  }

  function start(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (running || queue.length === 0) return;
    const batch = queue.splice(0, options.maxSize);
    running = settle(batch).finally(() => {
      running = undefined;
      // what arrived meanwhile has waited a whole run already
      if (queue.length > 0) start();
    });
  }

  return {
    add(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (running) return;
        if (queue.length >= options.maxSize || options.maxWaitMs <= 0) start();
        else timer ??= setTimeout(start, options.maxWaitMs);
      });
    },
  };
}
