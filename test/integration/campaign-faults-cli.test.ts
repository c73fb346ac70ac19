import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildDelivery } from '../../src/app/build-delivery.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  truncateDeliveryTables,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase, testDatabaseUrl } from '../helpers/databases.ts';
import { runDepeche } from '../helpers/run-depeche.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `depeche campaign` when Redis is down or a campaign has stalled (no worker runs here). */
describe('depeche campaign under faults (command line)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix() });

  beforeAll(async () => {
    database = await openTestPostgres();
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-campaign-faults-'));
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
      SECRET_KEY: config.SECRET_KEY ?? '',
      PUBLIC_URL: config.PUBLIC_URL,
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
  });
  beforeEach(async () => {
    await truncateDeliveryTables(database.handle.db);
  });

  it('send with Redis down fails at once with one line, exit code 1, the campaign unchanged', async () => {
    const campaign = await createTestCampaign(database.handle.db);
    const port = await closedPort();
    const run = await runDepeche(['campaign', 'send', String(campaign.id)], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^depeche: Redis at 127\\.0\\.0\\.1:${port} does not answer \\(.+\\); nothing was changed\\.`,
      ),
    );
    const [row] = await queryRows<{ status: string }>(
      database.handle.db,
      sql`SELECT status FROM campaigns WHERE id = ${campaign.id}`,
    );
    expect(row?.status).toBe('draft');
  });

  it('status says a sending campaign has stalled, and what to check', async () => {
    await seedAudience(database.handle.db, 20);
    const redis = createRedisConnection(config.REDIS_URL);
    const delivery = buildDelivery({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    try {
      const campaign = await createTestCampaign(database.handle.db);
      await delivery.service.send(campaign.id);
      // the fan-out job of a worker, run here: rows written, send jobs queued, nobody sends
      await delivery.service.fanOut({ campaignId: campaign.id });
      await database.handle.db.execute(
        sql`UPDATE campaigns SET updated_at = now() - interval '25 minutes' WHERE id = ${campaign.id}`,
      );
      const run = await runDepeche(['campaign', 'status', String(campaign.id)], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('remaining 20');
      expect(run.stdout).toMatch(
        /stalled: no progress for 25 min \(last outcome at [^)]+\), past the 10 min after which a running worker's watchdog enqueues it again: check that a 'depeche worker' runs/,
      );
      expect(run.stdout).toContain(`'depeche campaign resume ${campaign.id}'`);

      const json = await runDepeche(['campaign', 'status', String(campaign.id), '--json'], env);
      expect(JSON.parse(json.stdout)).toMatchObject({
        stall: expect.stringMatching(/^no progress/),
      });

      // a campaign that moves is not stalled
      await database.handle.db.execute(
        sql`UPDATE campaigns SET updated_at = now() WHERE id = ${campaign.id}`,
      );
      const moving = await runDepeche(['campaign', 'status', String(campaign.id)], env);
      expect(moving.stdout).not.toContain('stalled');
    } finally {
      await delivery.close();
      await closeRedisConnection(redis);
    }
  });
});
