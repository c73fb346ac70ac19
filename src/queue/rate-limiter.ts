import type { MessageRateLimiter } from '../sending/index.ts';
import type { RedisClient } from './connection.ts';

/**
 * Both limits in one Redis hash (one key, so Redis Cluster is fine). Per second: a token bucket
 * refilled at `perSecond` tokens per second with room for one second's worth. Per hour: a
 * sliding window of minute counters, a ring of 61 slots (`c<slot>` counts what was granted in
 * the minute `m<slot>`), so that what is granted in any 61 consecutive minutes, hence in any 60
 * minutes, never exceeds `perHour` (a bucket would let twice that through in the hour after an
 * idle one). A call takes up to ARGV[1] messages from both at once and returns {granted,
 * waitMs}. The time is Redis's own, shared by every worker.
 */
const takeTokensScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = tonumber(ARGV[1])
local rs = tonumber(ARGV[2])
local rh = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 's', 'ts')
local ts = tonumber(h[2]) or now
local s = tonumber(h[1]) or rs
s = math.min(rs, s + math.max(0, now - ts) * rs / 1000)
local minute = math.floor(now / 60000)
local names = {}
for k = 0, 60 do
  names[#names + 1] = 'm' .. k
  names[#names + 1] = 'c' .. k
end
local ring = redis.call('HMGET', KEYS[1], unpack(names))
local used = 0
for k = 0, 60 do
  local m = tonumber(ring[2 * k + 1])
  if m and m > minute - 61 and m <= minute then used = used + (tonumber(ring[2 * k + 2]) or 0) end
end
local grant = math.min(want, math.floor(s), rh - used)
local wait = 0
if grant < 1 then
  grant = 0
  if s < 1 then wait = math.ceil((1 - s) * 1000 / rs) end
  if rh - used < 1 then wait = math.max(wait, 60000 - now % 60000) end
  wait = math.max(wait, 1)
else
  s = s - grant
  local slot = minute % 61
  local count = 0
  if tonumber(ring[2 * slot + 1]) == minute then count = tonumber(ring[2 * slot + 2]) or 0 end
  redis.call('HSET', KEYS[1], 'm' .. slot, tostring(minute), 'c' .. slot, tostring(count + grant))
end
redis.call('HSET', KEYS[1], 's', tostring(s), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 7200000)
return {grant, wait}
`;

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** The key holding both buckets, e.g. `{depeche}:send-rate`. */
  key: string;
  /** SEND_RATE_PER_SECOND. */
  perSecond: number;
  /** SEND_RATE_PER_HOUR: at most this many in any 60 minutes. */
  perHour: number;
  /** Longest single wait before asking again. @defaultValue 1000 */
  maxWaitMs?: number;
}

type WithTakeTokens = RedisClient & {
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
  redis: RedisClient,
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
