import { describe, expect, it } from 'vitest';

import { createMicroBatcher } from './micro-batcher.ts';

describe('createMicroBatcher', () => {
  it('groups what arrives together, one run at a time, at most maxSize per run', async () => {
    const runs: number[][] = [];
    let active = 0;
    let mostActive = 0;
    const batcher = createMicroBatcher<number, number>({
      maxSize: 3,
      maxWaitMs: 5,
      run: async (items) => {
        active += 1;
        mostActive = Math.max(mostActive, active);
        runs.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        return items.map((n) => n * 10);
      },
    });
    const outputs = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.add(n)));
    expect(outputs).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(runs.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...runs.map((r) => r.length))).toBeLessThanOrEqual(3);
    expect(runs[0]).toEqual([1, 2, 3]);
    expect(mostActive).toBe(1);
  });

  it('settles an item only after its run settled', async () => {
    let finish: (() => void) | undefined;
    const batcher = createMicroBatcher<string, string>({
      maxSize: 10,
      maxWaitMs: 0,
      run: (items) =>
        new Promise((resolve) => {
          finish = () => resolve(items.map((s) => s.toUpperCase()));
        }),
    });
    let settled = false;
    const pending = batcher.add('a').then((value) => {
      settled = true;
      return value;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    finish?.();
    expect(await pending).toBe('A');
  });

  it('tries a failed run again item by item: only the failing item fails', async () => {
    const runs: string[][] = [];
    const batcher = createMicroBatcher<string, string>({
      maxSize: 10,
      maxWaitMs: 5,
      run: async (items) => {
        runs.push(items);
        if (items.includes('bad')) throw new Error('database says no');
        return items;
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => batcher.add(s)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: new Error('database says no') },
      { status: 'fulfilled', value: 'c' },
    ]);
    expect(runs).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('refuses a run that answers with the wrong number of outputs', async () => {
    const batcher = createMicroBatcher<number, number>({
      maxSize: 1,
      maxWaitMs: 0,
      run: async () => [],
    });
    await expect(batcher.add(1)).rejects.toThrow(/batch of 1 answered with 0 outputs/);
  });
});
