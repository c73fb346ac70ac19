import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Config } from './env.ts';
import { ConfigError } from './env.ts';

/** The keys of the token signer: the current one signs, the previous ones still verify. */
export interface SecretKeys {
  keyId: string;
  secret: string;
  previousKeys: Record<string, string>;
}

/** Name of the generated key file in DATA_DIR (development and test only). */
export const generatedSecretKeyFile = 'secret.key';

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * Parses SECRET_KEYS_PREVIOUS, `id:key,id:key`. Throws {@link ConfigError} naming the bad entry
 * by position (never quoting a key).
 */
export function parsePreviousKeys(value: string | undefined): Record<string, string> {
  const keys: Record<string, string> = {};
  if (value === undefined || value.trim() === '') return keys;
  value.split(',').forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    const key = entry.slice(colon + 1).trim();
    if (colon < 0 || !KEY_ID_PATTERN.test(id) || key.length < 32) {
      throw new ConfigError(
        `Configuration: SECRET_KEYS_PREVIOUS entry ${index + 1} must be 'id:key' with an id of ` +
          'letters, digits, _ or - and a key of at least 32 characters',
      );
    }
    keys[id] = key;
  });
  return keys;
}

/**
 * Resolves the signing keys: SECRET_KEY when set; otherwise (development and test only, the
 * configuration refuses production without it) the key in `DATA_DIR/secret.key`, generated on
 * first use with mode 600. Synchronous: it runs once at start-up, in the composition root.
 */
export function resolveSecretKeys(
  config: Pick<
    Config,
    'SECRET_KEY' | 'SECRET_KEY_ID' | 'SECRET_KEYS_PREVIOUS' | 'DATA_DIR' | 'DEPECHE_ENV'
  >,
): SecretKeys {
  const previousKeys = parsePreviousKeys(config.SECRET_KEYS_PREVIOUS);
  if (config.SECRET_KEY !== undefined) {
    return { keyId: config.SECRET_KEY_ID, secret: config.SECRET_KEY, previousKeys };
  }
  if (config.DEPECHE_ENV === 'production') {
    throw new ConfigError('Configuration: SECRET_KEY is required when DEPECHE_ENV=production');
  }
  return { keyId: config.SECRET_KEY_ID, secret: readOrCreateKey(config.DATA_DIR), previousKeys };
}

function readOrCreateKey(dataDir: string): string {
  const file = path.resolve(dataDir, generatedSecretKeyFile);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
    throw new ConfigError(
      `Configuration: the generated key file '${file}' is shorter than 32 characters; delete it to generate a new one`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    // 'wx': two processes starting together keep the first key written
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8').trim();
  }
  chmodSync(file, 0o600);
  return key;
}
