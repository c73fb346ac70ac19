import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ConfigError } from './env.ts';
import { parsePreviousKeys, resolveSecretKeys } from './secret-key.ts';

const base = {
  SECRET_KEY_ID: 'k1',
  SECRET_KEYS_PREVIOUS: undefined,
  DEPECHE_ENV: 'development' as const,
};

describe('resolveSecretKeys', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('uses SECRET_KEY when set, with the previous keys', () => {
    const keys = resolveSecretKeys({
      ...base,
      SECRET_KEY: 's'.repeat(32),
      SECRET_KEYS_PREVIOUS: `k0:${'p'.repeat(32)}`,
      DATA_DIR: '/nonexistent',
    });
    expect(keys).toEqual({
      keyId: 'k1',
      secret: 's'.repeat(32),
      previousKeys: { k0: 'p'.repeat(32) },
    });
  });

  it('generates DATA_DIR/secret.key with mode 600 once, then reads it back', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'depeche-key-'));
    const first = resolveSecretKeys({ ...base, SECRET_KEY: undefined, DATA_DIR: dir });
    const second = resolveSecretKeys({ ...base, SECRET_KEY: undefined, DATA_DIR: dir });
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(second.secret).toBe(first.secret);
    expect((await readFile(path.join(dir, 'secret.key'), 'utf8')).trim()).toBe(first.secret);
    expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to generate a key in production', () => {
    expect(() =>
      resolveSecretKeys({
        ...base,
        DEPECHE_ENV: 'production',
        SECRET_KEY: undefined,
        DATA_DIR: '.',
      }),
    ).toThrow(ConfigError);
  });

  it('parses SECRET_KEYS_PREVIOUS and names a bad entry without quoting it', () => {
    expect(parsePreviousKeys(`a:${'x'.repeat(32)}, b:${'y'.repeat(40)}`)).toEqual({
      a: 'x'.repeat(32),
      b: 'y'.repeat(40),
    });
    expect(() => parsePreviousKeys(`a:${'x'.repeat(32)},short:abc`)).toThrow(/entry 2/);
    expect(() => parsePreviousKeys('nokey')).toThrow(ConfigError);
  });
});
