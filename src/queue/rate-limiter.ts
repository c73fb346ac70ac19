import type { Redis } from 'ioredis';

import type { MessageRateLimiter } from '../delivery/index.ts';

/**
 * Two token buckets in one Redis hash (one key, so Redis Cluster is fine): one refilled at
 * `perSecond` tokens per second with room for one second's worth, one refilled at `perHour`
 * per hour with room for one hour's worth. A call takes up to ARGV[1] tokens from both at once
 * and returns {granted, waitMs}. The time is Redis's own, shared by every worker.
 */
const takeTokensScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = tonumber(ARGV[1])
local rs = tonumber(ARGV[2])
local rh = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 's', 'h', 'ts')
local ts = tonumber(h[3]) or now
local s = tonumber(h[1]) or rs
local hr = tonumber(h[2]) or rh
local elapsed = math.max(0, now - ts)
s = math.min(rs, s + elapsed * rs / 1000)
hr = math.min(rh, hr + elapsed * rh / 3600000)
local grant = math.min(want, math.floor(s), math.floor(hr))
local wait = 0
if grant < 1 then
  grant = 0
  local ws = 0
  local wh = 0
  if s < 1 then ws = math.ceil((1 - s) * 1000 / rs) end
  if hr < 1 then wh = math.ceil((1 - hr) * 3600000 / rh) end
  wait = math.max(ws, wh, 1)
else
  s = s - grant
  hr = hr - grant
end
redis.call('HSET', KEYS[1], 's', tostring(s), 'h', tostring(hr), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 7200000)
return {grant, wait}
`;

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** The key holding both buckets, e.g. `{depeche}:send-rate`. */
  key: string;
  /** SEND_RATE_PER_SECOND. */
  perSecond: number;
  /** SEND_RATE_PER_HOUR. */
  perHour: number;
  /** Longest single wait before asking again. @defaultValue 1000 */
  maxWaitMs?: number;
}

type WithTakeTokens = Redis & {
  depecheTakeTokens(
    key: string,
    want: number,
    perSecond: number,
    perHour: number,
  ): Promise<[number, number]>;
};

/**
 * The send-rate limit shared by every worker process, counted in messages (BullMQ's own limiter
 * counts jobs, i.e. batches). A worker takes tokens in small groups, so Redis sees one call per
 * group of messages, not one per message.
 */
export function createRedisRateLimiter(
  redis: Redis,
  options: RedisRateLimiterOptions,
): MessageRateLimiter {
  if (!('depecheTakeTokens' in redis)) {
    redis.defineCommand('depecheTakeTokens', { numberOfKeys: 1, lua: takeTokensScript });
  }
  const client = redis as WithTakeTokens;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  return {
    async acquire(count) {
      for (;;) {
        const [granted, waitMs] = await client.depecheTakeTokens(
          options.key,
          Math.max(1, Math.floor(count)),
          options.perSecond,
          options.perHour,
        );
        if (granted > 0) return granted;
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, maxWaitMs)));
      }
    },
  };
}
