export { type Config, ConfigError, envSchema, loadConfig } from './env.ts';
export {
  hashTagOf,
  parseRedisTarget,
  type RedisNode,
  type RedisTarget,
  redisTargetLabel,
  RedisUrlError,
} from './redis-target.ts';
export {
  generatedSecretKeyFile,
  parsePreviousKeys,
  resolveSecretKeys,
  type SecretKeys,
} from './secret-key.ts';
