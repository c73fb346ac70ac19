import { describe, expect, it } from 'vitest';

import { createPermits } from './permits.ts';

describe('createPermits', () => {
  it('asks the limiter once for the lanes waiting together, at most 50 tokens', async () => {
    const asked: number[] = [];
    const permits = createPermits(
      {
        acquire: (count) => {
          asked.push(count);
          return Promise.resolve(2);
        },
      },
      () => 120,
    );
    await Promise.all([permits.take(), permits.take()]);
    expect(asked).toEqual([50]);
  });

  it('uses a token given back before asking again', async () => {
    const asked: number[] = [];
    const permits = createPermits(
      {
        acquire: (count) => {
          asked.push(count);
          return Promise.resolve(1);
        },
      },
      () => 3,
    );
    await permits.take();
    permits.giveBack();
    await permits.take();
    expect(asked).toEqual([3]);
  });
});
