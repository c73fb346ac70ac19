import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './free-port.ts';

const run = promisify(execFile);

/** A Redis Cluster of the test's own: three masters, no replica, on loopback ports. */
export interface TestRedisCluster {
  /** REDIS_URL of the cluster: `redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`. */
  url: string;
  ports: number[];
  /** Stops the nodes and removes their directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Masters of the cluster (at least 3, what `redis-cli --cluster create` asks). @defaultValue 3 */
  masters?: number;
  /** @defaultValue 20000 */
  timeoutMs?: number;
}

/**
 * Starts a Redis Cluster from the `redis-server` and `redis-cli` on the PATH (Redis ≥ 7 for
 * `--cluster-port`): each master on a free loopback port with its bus on another, no
 * persistence, its files in a temporary directory; then joins them with `redis-cli --cluster
 * create` and waits until every node reports `cluster_state:ok`. Throws, having stopped what it
 * started, when a binary is missing or the cluster is not up within `timeoutMs`.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const dir = await mkdtemp(path.join(tmpdir(), 'depeche-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    const pickPort = async () => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < masters; i += 1) {
      const port = await pickPort();
      const busPort = await pickPort();
      ports.push(port);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', (error) =>
          reject(new Error(`redis-server could not start (is Redis installed?): ${error.message}`)),
        );
      });
    }
    const deadline = Date.now() + timeoutMs;
    for (const port of ports) await waitUntil(deadline, () => isAnswering(port), `node ${port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await waitUntil(deadline, () => isClusterOk(port), `cluster_state:ok on ${port}`);
    }
    return {
      url: `redis://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
      ports,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function isAnswering(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'PING']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function isClusterOk(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO']);
    return stdout.includes('cluster_state:ok');
  } catch {
    return false;
  }
}

async function waitUntil(deadline: number, check: () => Promise<boolean>, what: string) {
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      return resolve();
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
