export { type Config, ConfigError, envSchema, loadConfig } from './env.ts';
export {
  generatedSecretKeyFile,
  parsePreviousKeys,
  resolveSecretKeys,
  type SecretKeys,
} from './secret-key.ts';
