import { describe, expect, it } from 'vitest';

import { createLanes } from './lanes.ts';

describe('createLanes', () => {
  it('gives places first come, first served, each released once', async () => {
    const lanes = createLanes(1);
    const first = await lanes.acquire();
    const order: string[] = [];
    const second = lanes.acquire().then((release) => {
      order.push('second');
      return release;
    });
    const third = lanes.acquire().then((release) => {
      order.push('third');
      return release;
    });
    expect(lanes.freeCount()).toBe(0);
    first();
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(lanes.freeCount()).toBe(1);
  });

  it('has at least one place', async () => {
    expect(createLanes(0).freeCount()).toBe(1);
    expect(createLanes(2.7).freeCount()).toBe(2);
  });
});
