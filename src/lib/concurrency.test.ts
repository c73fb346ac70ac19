import { describe, expect, it } from 'vitest';

import { createTaskPool, mapSettled } from './concurrency.ts';

/** A promise settled by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets every pending callback run. */
const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createTaskPool', () => {
  it('runs at most `limit` tasks at once and starts the next one when one finishes', async () => {
    const pool = createTaskPool(2);
    const gates = [deferred(), deferred(), deferred()];
    await pool.start(() => gates[0]!.promise);
    await pool.start(() => gates[1]!.promise);
    let isThirdStarted = false;
    const third = pool.start(async () => {
      isThirdStarted = true;
      await gates[2]!.promise;
    });
    await flushMicrotasks();
    expect(pool.runningCount()).toBe(2);
    expect(isThirdStarted).toBe(false);
    gates[1]!.resolve();
    await third;
    expect(isThirdStarted).toBe(true);
    gates[0]!.resolve();
    gates[2]!.resolve();
    await pool.drain();
    expect(pool.runningCount()).toBe(0);
  });

  it('throws the first failure at the next start, starting nothing more, and at drain', async () => {
    const pool = createTaskPool(2);
    const slow = deferred();
    await pool.start(() => slow.promise);
    await pool.start(() => Promise.reject(new Error('batch 2 failed')));
    await pool.start(() => Promise.reject(new Error('batch 3 failed'))).catch(() => undefined);
    await flushMicrotasks();
    let isStarted = false;
    await expect(
      pool.start(async () => {
        isStarted = true;
      }),
    ).rejects.toThrow('batch 2 failed');
    expect(isStarted).toBe(false);
    slow.resolve();
    await expect(pool.drain()).rejects.toThrow('batch 2 failed');
  });

  it('counts a task that throws before returning a promise as a failure', async () => {
    const pool = createTaskPool(1);
    await pool.start(() => {
      throw new Error('no promise');
    });
    await expect(pool.drain()).rejects.toThrow('no promise');
  });

  it('settles without throwing once every task has ended', async () => {
    const pool = createTaskPool(3);
    const gate = deferred();
    let isEnded = false;
    await pool.start(async () => {
      await gate.promise;
      isEnded = true;
    });
    await pool.start(() => Promise.reject(new Error('failed')));
    const settled = pool.settle();
    gate.resolve();
    await settled;
    expect(isEnded).toBe(true);
  });

  it.each([
    [0, 1],
    [-3, 1],
    [2.7, 2],
  ])('treats a limit of %s as %s', async (limit, expected) => {
    const pool = createTaskPool(limit);
    const gates = [deferred(), deferred(), deferred()];
    for (const gate of gates) void pool.start(() => gate.promise);
    await flushMicrotasks();
    expect(pool.runningCount()).toBe(expected);
    for (const gate of gates) gate.resolve();
    await flushMicrotasks();
    await pool.drain();
  });

  it('refuses a limit that is not a number', () => {
    expect(() => createTaskPool(Number.NaN)).toThrow(RangeError);
  });
});

describe('mapSettled', () => {
  it('returns every outcome in input order, a rejection stopping nothing', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapSettled([1, 2, 3, 4, 5], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await flushMicrotasks();
      running -= 1;
      if (n === 2) throw new Error('two');
      return n * 10;
    });
    expect(peak).toBe(2);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      10,
      'Error: two',
      30,
      40,
      50,
    ]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapSettled([], 4, async () => 1)).toEqual([]);
  });
});
