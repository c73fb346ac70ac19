import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedisRateLimiter } from '../../src/queue/index.ts';
import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the Redis send-rate limiter', () => {
  const prefix = testQueuePrefix();
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(redisUrl, prefix);
  });

  it('grants at most one second of messages at once, counted in messages', async () => {
    const limiter = createRedisRateLimiter(redis, {
      key: `${prefix}:a`,
      perSecond: 10,
      perHour: 1000,
    });
    expect(await limiter.acquire(1000)).toBe(10);
  });

  it('applies the hourly limit too, shared by every limiter on the same key', async () => {
    const options = { key: `${prefix}:b`, perSecond: 100, perHour: 30 };
    const first = createRedisRateLimiter(redis, options);
    const other = new Redis(redisUrl);
    const second = createRedisRateLimiter(other, options);
    expect(await first.acquire(20)).toBe(20);
    expect(await second.acquire(20)).toBe(10);
    other.disconnect();
  });
});
