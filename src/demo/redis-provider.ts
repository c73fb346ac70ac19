import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { withCommandRedis } from '../app/index.ts';
import { AppError } from '../lib/index.ts';
import { assertRedisAnswers, deleteKeysUnder } from '../queue/index.ts';

/** A Redis the demo can use, and how to give it back. */
export interface DemoRedis {
  url: string;
  /** True when the demo started its own `redis-server`. */
  isPrivate: boolean;
  stop(): Promise<void>;
}

/** Raised when no Redis answers and none can be started. */
export class RedisUnavailableError extends AppError {
  constructor(url: string) {
    super(
      'ENOREDIS',
      `No Redis answers at ${url} and no redis-server is on PATH: install Redis ` +
        '(apt install redis-server, brew install redis) or start one with ' +
        "'docker compose up -d redis', or set REDIS_URL.",
    );
  }
}

/** True when a Redis (or a Redis Cluster: several nodes) answers PING at `url` within `timeoutMs`. */
export async function isRedisAnswering(url: string, timeoutMs = 1500): Promise<boolean> {
  try {
    await withCommandRedis(url, (client) => assertRedisAnswers(client, url, timeoutMs), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/**
 * Deletes every key under `prefix` (the demo's own queue prefix), so a run leaves nothing in a
 * shared Redis. The braces of a hash-tag prefix are matched literally.
 */
export function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  return withCommandRedis(url, (client) => deleteKeysUnder(client, prefix));
}

/** A TCP port nobody listens on right now, on the loopback interface. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts a private `redis-server` on a free loopback port, without persistence, its files in
 * a temporary directory removed by `stop()`. Throws when the binary is missing or never answers.
 */
async function startPrivateRedis(binary: string): Promise<DemoRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'depeche-demo-redis-'));
  const port = await findFreePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  const url = `redis://127.0.0.1:${port}`;
  // An interrupted demo (process.exit) must not leave its redis-server behind.
  const killOnExit = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    await waitForExit(child, 5000);
    await rm(dir, { recursive: true, force: true });
  };
  if (!spawned) {
    await rm(dir, { recursive: true, force: true });
    throw new RedisUnavailableError(url);
  }
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await isRedisAnswering(url, 500)) return { url, isPrivate: true, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new AppError(
    'ENOREDIS',
    `The private redis-server started by the demo never answered on ${url}.`,
  );
}

/**
 * The Redis of the demo: the one at `url` when it answers; else a private `redis-server`
 * (found on PATH) for the length of the run; else {@link RedisUnavailableError}, whose message
 * says how to get one.
 */
export async function provideRedis(url: string, binary = 'redis-server'): Promise<DemoRedis> {
  if (await isRedisAnswering(url)) return { url, isPrivate: false, stop: async () => undefined };
  try {
    return await startPrivateRedis(binary);
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new RedisUnavailableError(url);
    throw error;
  }
}
