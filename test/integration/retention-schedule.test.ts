import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';

import { createSilentLogger } from '../../src/lib/index.ts';
import {
  RETENTION_PATTERN,
  RETENTION_QUEUE,
  RETENTION_SCHEDULER_ID,
  startRetentionSchedule,
} from '../../src/queue/index.ts';
import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the daily retention schedule (real Redis)', () => {
  const prefix = testQueuePrefix();
  afterAll(async () => {
    await deleteRedisKeys(redisUrl, prefix);
  });

  it('keeps one daily scheduler however many processes start it', async () => {
    const connection = { url: redisUrl };
    const options = {
      connection,
      prefix,
      run: async () => undefined,
      logger: createSilentLogger(),
    };
    const first = await startRetentionSchedule(options);
    const second = await startRetentionSchedule(options);
    const queue = new Queue(RETENTION_QUEUE, { connection, prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({
        key: RETENTION_SCHEDULER_ID,
        pattern: RETENTION_PATTERN,
      });
    } finally {
      await queue.close();
      await first.close();
      await second.close();
    }
  });

  it('runs the job when its time comes', async () => {
    const everySecond = testQueuePrefix();
    let runs = 0;
    let markRun = () => undefined as void;
    const ran = new Promise<void>((resolve) => (markRun = resolve));
    const schedule = await startRetentionSchedule({
      connection: { url: redisUrl },
      prefix: everySecond,
      // Every second, so that the test sees a run.
      pattern: '* * * * * *',
      run: async () => {
        runs += 1;
        markRun();
      },
      logger: createSilentLogger(),
    });
    try {
      await ran;
      expect(runs).toBeGreaterThanOrEqual(1);
    } finally {
      await schedule.close();
      await deleteRedisKeys(redisUrl, everySecond);
    }
  });
});
