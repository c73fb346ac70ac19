import { describe, expect, test } from 'vitest';

import { fanOutPageSize, planBatches } from './fan-out.ts';

describe('fanOutPageSize', () => {
  test.each([
    [100, 20_000, 20_000],
    [300, 20_000, 19_800],
    [50_000, 20_000, 50_000],
    [1, 10, 10],
  ])('batch %i, target %i → %i', (batchSize, target, expected) => {
    expect(fanOutPageSize(batchSize, target)).toBe(expected);
  });
});

describe('planBatches', () => {
  test.each([
    [{ firstBatchNo: 0, rowCount: 0, batchSize: 100 }, []],
    [{ firstBatchNo: 0, rowCount: 250, batchSize: 100 }, [0, 1, 2]],
    [{ firstBatchNo: 200, rowCount: 200, batchSize: 100 }, [200, 201]],
  ])('%o', (input, expected) => {
    expect(planBatches(input)).toEqual(expected);
  });
});
