import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { TRANSACTIONAL_QUEUE } from '../../src/queue/index.ts';
import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';
import { runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and an embedded database: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('depeche subscribers send-confirmations (embedded database, real Redis)', () => {
  const prefix = testQueuePrefix();
  let workDir: string;
  let env: Record<string, string>;
  let queue: Queue;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-send-confirmations-'));
    env = {
      DATA_DIR: path.join(workDir, 'data'),
      DATABASE_URL: '',
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
    };
    queue = new Queue(TRANSACTIONAL_QUEUE, { connection: { url: redisUrl }, prefix });
  });
  afterAll(async () => {
    await queue.close();
    await deleteRedisKeys(redisUrl, prefix);
    await rm(workDir, { recursive: true, force: true });
  });

  it('queues one opt-in mail per pending address, spread out, and none again within the week', async () => {
    const csv = path.join(workDir, 'pending.csv');
    await writeFile(csv, 'email\na@example.org\nb@example.org\nc@example.org\n');
    const imported = await runDepeche(['subscribers', 'import', csv, '--newsletter', 'adn'], env);
    expect(imported.code, imported.stderr).toBe(0);
    const active = await runDepeche(
      ['subscribers', 'add', 'd@example.org', '--newsletter', 'adn', '--confirmed'],
      env,
    );
    expect(active.code, active.stderr).toBe(0);

    const first = await runDepeche(
      ['subscribers', 'send-confirmations', '--newsletter', 'adn', '--per-minute', '60', '--json'],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ newsletterId: 'adn', queued: 3, perMinute: 60 });
    const jobs = await queue.getJobs(['delayed', 'waiting']);
    expect(jobs).toHaveLength(3);
    expect(jobs.every((job) => job.name === 'confirm' && job.data.kind === 'confirm')).toBe(true);
    // No address in the job, and one second apart at 60 per minute.
    expect(JSON.stringify(jobs.map((job) => job.data))).not.toContain('@');
    expect(jobs.map((job) => job.opts.delay).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      0, 1000, 2000,
    ]);

    const again = await runDepeche(
      ['subscribers', 'send-confirmations', '--newsletter', 'adn'],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No pending subscription');
    expect(await queue.getJobs(['delayed', 'waiting'])).toHaveLength(3);
  });

  it('refuses an unknown newsletter, a bad rate and an unreachable Redis, queueing nothing', async () => {
    const unknown = await runDepeche(
      ['subscribers', 'send-confirmations', '--newsletter', 'nope'],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown newsletter 'nope'/);
    const rate = await runDepeche(
      ['subscribers', 'send-confirmations', '--newsletter', 'adn', '--per-minute', 'fast'],
      env,
    );
    expect(rate.code).toBe(1);
    expect(rate.stderr).toMatch(/--per-minute expects a whole number/);
    const added = await runDepeche(
      ['subscribers', 'add', 'e@example.org', '--newsletter', 'adn'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    const down = await runDepeche(['subscribers', 'send-confirmations', '--newsletter', 'adn'], {
      ...env,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Redis does not answer/);
    // The address was not marked: a run with Redis back queues it.
    const back = await runDepeche(
      ['subscribers', 'send-confirmations', '--newsletter', 'adn', '--json'],
      env,
    );
    expect(JSON.parse(back.stdout)).toMatchObject({ queued: 1 });
  });
});
