/** Rows the fan-out inserts per transaction at most. @defaultValue 20000 */
export const defaultFanOutPageSize = 20_000;

/**
 * The page size of the fan-out, a whole number of batches so that every batch but the last
 * of the audience is full and a batch never spans two transactions.
 */
export function fanOutPageSize(batchSize: number, target = defaultFanOutPageSize): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be ≥ 1');
  return Math.max(1, Math.floor(target / batchSize)) * batchSize;
}

/**
 * The batch numbers a fan-out page of `rowCount` rows occupies, starting at `firstBatchNo`:
 * row i of the page (in subscriber-id order) goes to batch `firstBatchNo + floor(i / batchSize)`.
 */
export function planBatches(input: {
  firstBatchNo: number;
  rowCount: number;
  batchSize: number;
}): number[] {
  const count = Math.ceil(input.rowCount / input.batchSize);
  return Array.from({ length: count }, (_, i) => input.firstBatchNo + i);
}
