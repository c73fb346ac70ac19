import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { type Config } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { approveIssue } from '../helpers/review-fixtures.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const root = path.resolve(import.meta.dirname, '../..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `depeche campaign …` as an editor runs it, the workers running in this test's process. */
describe('depeche campaign (command line)', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let runtime: Awaited<ReturnType<typeof startDeliveryRuntime>>;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await openTestPostgres();
    sink = await startSmtpSink({ dataDelayMs: 5 });
    config = deliveryTestConfig({
      QUEUE_PREFIX: testQueuePrefix(),
      SMTP_URL: sink.url,
      SMTP_POOL_SIZE: '1',
      SEND_CONCURRENCY: '1',
    });
    redis = createRedisConnection(config.REDIS_URL);
    runtime = await startDeliveryRuntime({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    // An editor submitted the sample issue and a publisher approved it.
    await approveIssue(database.handle.db, 'adn/2026-11', path.join(root, 'issues'));
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-campaign-cli-'));
    const [{ schema } = { schema: '' }] = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    env = {
      PATH: process.env.PATH ?? '',
      DEPECHE_ENV: 'test',
      DATABASE_URL: `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DATA_DIR: dataDir,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      SMTP_URL: sink.url,
      SECRET_KEY: config.SECRET_KEY ?? '',
      PUBLIC_URL: config.PUBLIC_URL,
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await runtime.close();
    await closeRedisConnection(redis);
    await sink.close();
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Runs `depeche ARGS`; with `isTerminal`, under a pseudo-terminal (util-linux `script`).
   * `onOutput` sees the standard output as it grows.
   */
  function depeche(
    args: string[],
    options: { isTerminal?: boolean; onOutput?: (stdout: string) => void } = {},
  ): Promise<CliRun> {
    const command = [process.execPath, path.join(root, 'bin/depeche.js'), ...args];
    const [file, argv] = options.isTerminal
      ? ['script', ['-qefc', command.map((a) => `'${a}'`).join(' '), '/dev/null']]
      : [command[0]!, command.slice(1)];
    return new Promise((resolve, reject) => {
      const child = spawn(file, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        options.onOutput?.(stdout);
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }

  it('creates, sends and follows a campaign with a live progress bar on a terminal', async () => {
    await seedAudience(database.handle.db, 400);
    const created = await depeche([
      'campaign',
      'create',
      'adn/2026-11',
      '--segment',
      'locale=fr',
      '--json',
    ]);
    expect(created.stderr).toBe('');
    const { campaign, audienceCount } = JSON.parse(created.stdout) as {
      campaign: { id: number; status: string };
      audienceCount: number;
    };
    expect(campaign.status).toBe('draft');
    expect(audienceCount).toBe(320); // every fifth reader reads English

    // the relay holds every message until the bar has shown a first frame
    sink.hold();
    const sent = await depeche(['campaign', 'send', String(campaign.id)]);
    expect(sent.stdout).toMatch(new RegExp(`Campaign ${campaign.id} \\(adn/2026-11\\) is sending`));

    const watched = await depeche(['campaign', 'status', String(campaign.id), '--watch'], {
      isTerminal: true,
      onOutput: (stdout) => {
        if (stdout.includes('% | sent')) sink.release();
      },
    });
    expect(watched.code).toBe(0);
    // the bar is redrawn in place (cursor hidden, back to column 1), then the final counts
    expect(watched.stdout).toContain('\u001b[?25l');
    const frames = watched.stdout.split('\u001b[1G').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^[█░]+ 0% \| sent 0 · failed 0 · uncertain 0 · remaining 320 \| /);
    expect(frames.at(-1)).toMatch(/100% \| sent 320 · failed 0 · uncertain 0 · remaining 0 \| /);
    expect(watched.stdout).toMatch(/sent 320 · failed 0 · uncertain 0 · skipped 0 · remaining 0/);
    expect(watched.stdout).toContain(': done');
    expect(sink.messages.length).toBe(320);

    const status = await depeche(['campaign', 'status', String(campaign.id), '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'done', sent: 320, remaining: 0 });
    const list = await depeche(['campaign', 'list', '--status', 'done', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ id: number }>).map((c) => c.id)).toContain(
      campaign.id,
    );
    const other = await depeche(['campaign', 'list', '--newsletter', 'fil-de-marianne', '--json']);
    expect(JSON.parse(other.stdout)).toEqual([]);

    const audit = await depeche(['audit', 'list', '--actor', 'command line', '--json']);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; objectId: string }>;
    expect(entries.filter((e) => e.objectId === String(campaign.id)).map((e) => e.action)).toEqual([
      'campaign.send',
      'campaign.create',
    ]);
  });

  it('tells the audience of a segment before any campaign is created', async () => {
    const json = await depeche(['campaign', 'audience', 'adn', '--segment', 'locale=en', '--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({
      newsletterId: 'adn',
      segment: { locale: ['en'] },
      audienceCount: 80,
    });
    const text = await depeche(['campaign', 'audience', 'adn', '--segment', 'country=us']);
    expect(text.stdout.trim()).toBe('adn, segment country=US: 200 recipients today.');
  });

  it('follows a campaign without a terminal as one line per sample', async () => {
    // The French readers got this issue in the first test: a second campaign to everyone is
    // created only once that is confirmed.
    const created = await depeche([
      'campaign',
      'create',
      'adn/2026-11',
      '--confirm-overlap',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { campaign } = JSON.parse(created.stdout) as { campaign: { id: number } };
    await depeche(['campaign', 'send', String(campaign.id)]);
    await waitFor(
      async () => (await runtime.delivery.service.progress(campaign.id)).campaign.status === 'done',
      60_000,
      'done',
    );
    const watched = await depeche(['campaign', 'status', String(campaign.id), '--watch']);
    expect(watched.stdout).not.toContain('\u001b[');
    expect(watched.stdout.trim().split('\n')).toHaveLength(1);
    expect(watched.stdout).toMatch(/: done .* sent 400 · failed 0/);
  });

  it('refuses bad input with one clear line and exit code 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['campaign', 'send', 'abc'], /Campaign id 'abc' is not a positive integer/],
      [['campaign', 'schedule', '1', '--at', 'tomorrow'], /--at 'tomorrow' is not an ISO 8601/],
      [['campaign', 'retry', '1'], /exactly one of --failed or --uncertain/],
      [['campaign', 'status', '999999'], /999999/],
      [['campaign', 'create', 'adn/2026-11', '--segment', 'planet=mars'], /planet/],
      [['campaign', 'audience', 'nope'], /Unknown newsletter 'nope'/],
      [['campaign', 'audience', 'adn', '--segment', 'country=USA'], /ISO country code/],
    ];
    for (const [args, message] of cases) {
      const run = await depeche(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr.trim().split('\n').length, args.join(' ')).toBeLessThanOrEqual(2);
    }
  });
});
