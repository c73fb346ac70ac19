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

  it('counts the hourly limit over the last 60 minutes, not a refilling bucket', async () => {
    const key = `${prefix}:c`;
    const limiter = createRedisRateLimiter(redis, { key, perSecond: 1000, perHour: 100 });
    // what was granted 30 minutes ago counts; what was granted 62 minutes ago no longer does
    const [seconds] = await redis.time();
    const minute = Math.floor(Number(seconds) / 60);
    await redis.hset(key, {
      [`m${(minute - 30) % 61}`]: String(minute - 30),
      [`c${(minute - 30) % 61}`]: '90',
      [`m${(minute - 62) % 61}`]: String(minute - 62),
      [`c${(minute - 62) % 61}`]: '100',
    });
    expect(await limiter.acquire(50)).toBe(10);
    // the hour is used up: nothing more within the next second
    const waiting = limiter.acquire(1);
    const outcome = await Promise.race([
      waiting.then(() => 'granted'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1500)),
    ]);
    expect(outcome).toBe('still waiting');
    // an idle hour does not let twice the limit through: the count is kept per minute
    const fields = await redis.hgetall(key);
    expect(fields[`c${minute % 61}`] ?? fields[`c${(minute + 1) % 61}`]).toBe('10');
    await redis.del(key);
    await waiting;
  });
});
