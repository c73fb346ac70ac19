import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';
import { freePort } from '../helpers/free-port.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'depeche.js');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The queues of the served process, under a prefix of this test's, removed after. */
const queuePrefix = testQueuePrefix();

/** Environment of a child `depeche`: the test's own, minus what would change its behaviour. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.SECRET_KEY;
  delete env.DEPECHE_ENV;
  return { ...env, ...extra };
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before printing ${pattern}`)),
    );
  });
}


describe('depeche serve', () => {
  let dataDir: string | undefined;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child);
    }
    child = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
    await deleteRedisKeys(redisUrl, queuePrefix);
  });

  it('stops on SIGTERM with exit code 0 and releases the embedded database lock', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-serve-test-'));
    const metricsPort = await freePort();
    child = spawn(process.execPath, [bin, 'serve'], {
      cwd: root,
      env: childEnv({
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        METRICS_PORT: String(metricsPort),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await waitForLine(child, /http:\/\/127\.0\.0\.1:\d+/).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    expect(existsSync(path.join(dataDir, 'depeche.lock'))).toBe(true);
    // Development without SECRET_KEY: a key is generated into DATA_DIR, readable by its owner only.
    expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o077).toBe(0);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // With METRICS_PORT the metrics are on that port only, not on the pages' port.
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    const metricsBody = await metrics.text();
    expect(metricsBody).toContain('# TYPE depeche_queue_jobs');
    expect(metricsBody).toContain('depeche_queue_jobs{queue="feed-poll",state="waiting"}');

    child.kill('SIGTERM');
    expect(await waitForExit(child)).toBe(0);
    expect(existsSync(path.join(dataDir, 'depeche.lock'))).toBe(false);
  }, 240_000);

  it('refuses to start in production without SECRET_KEY, in one line naming it', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-serve-test-'));
    child = spawn(process.execPath, [bin, 'serve'], {
      cwd: root,
      env: childEnv({
        DEPECHE_ENV: 'production',
        PUBLIC_URL: 'https://news.example.org',
        DATA_DIR: dataDir,
        PORT: '0',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await waitForExit(child)).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^depeche: .*SECRET_KEY/);
    // Nothing was started: no database was created.
    expect(existsSync(path.join(dataDir, 'depeche.lock'))).toBe(false);
  }, 60_000);

  it('refuses to start in production with a PUBLIC_URL that is not https', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-serve-test-'));
    child = spawn(process.execPath, [bin, 'serve'], {
      cwd: root,
      env: childEnv({
        DEPECHE_ENV: 'production',
        SECRET_KEY: 's'.repeat(40),
        PUBLIC_URL: 'http://news.example.org',
        DATA_DIR: dataDir,
        PORT: '0',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await waitForExit(child)).toBe(1);
    expect(stderr.trim()).toMatch(/^depeche: Configuration: PUBLIC_URL must start with https:\/\//);
    expect(existsSync(path.join(dataDir, 'depeche.lock'))).toBe(false);
  }, 60_000);
});
