import { Writable } from 'node:stream';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../../src/db/index.ts';
import { createLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
  waitFor,
} from '../helpers/campaign-fixtures.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

interface LogLine {
  event?: string;
  msg?: string;
  err?: { type?: string; message?: string; stack?: string };
}

/**
 * A PostgreSQL connection of a worker terminated in the middle of a statement (the
 * `pg_terminate_backend` an operator, a failover or an idle-session killer does): the worker's
 * log line says the cause first, names the statement shortly and none of its values.
 */
describe('a database connection dropped during a worker operation', () => {
  const schema = `t_dberr_${process.pid}_${Date.now()}`;
  const applicationName = `depeche_dberr_${process.pid}`;
  let handle: DatabaseHandle;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    // the worker's own connections carry a name of their own, so only they are terminated
    const url = `${testDatabaseUrl}?application_name=${applicationName}`;
    handle = await openDatabase({ kind: 'postgres', url, schema });
    await migrate(handle);
  });
  afterAll(async () => {
    await handle.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('logs the failed job with the cause first, then carries on', async () => {
    await seedAudience(handle.db, 60);
    const campaign = await createTestCampaign(handle.db);
    const sink = await startSmtpSink();
    const config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix(), SMTP_URL: sink.url });
    const redis = createRedisConnection(config.REDIS_URL);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const runtime = await startDeliveryRuntime({
      config,
      logger: createLogger({ level: 'info', destination }),
      clock: systemClock,
      database: handle,
      redis,
    });
    try {
      // the lanes have claimed their rows and wait for the relay's reply to DATA…
      sink.hold();
      await runtime.delivery.service.send(campaign.id);
      await waitFor(async () => sink.inDataCount() > 0, 30_000, 'messages in DATA');
      // …their outcomes' statement waits for the campaign row, and is killed while it waits
      await admin.query('BEGIN');
      await admin.query(`SELECT id FROM ${schema}.campaigns WHERE id = $1 FOR UPDATE`, [
        campaign.id,
      ]);
      sink.release();
      const waiting = async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [applicationName],
          )
        ).rows;
      await waitFor(async () => (await waiting()).length > 0, 30_000, 'a statement waiting');
      const terminated = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [applicationName],
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      await admin.query('COMMIT');

      const failures = () =>
        lines
          .map((line) => JSON.parse(line) as LogLine)
          .filter((line) => line.event === 'campaign.job.failed');
      await waitFor(async () => failures().length > 0, 30_000, 'the job failure logged');
      const [failure] = failures();
      expect(failure!.err!.message).toMatch(
        /^database: (terminating connection due to administrator command \[57P01\]|connection terminated unexpectedly) \(query: WITH v AS \( SELECT \* FROM jsonb_to_recordset/,
      );
      expect(failure!.err!.type).toBe('DatabaseError');
      const raw = lines.find((line) => line.includes('campaign.job.failed'))!;
      // no statement values (the outcomes' JSON: relay replies, Message-IDs @example.org) and
      // nothing of drizzle's message
      expect(raw).not.toContain('Failed query');
      expect(raw).not.toContain('params:');
      expect(raw).not.toContain('example.org');
      expect(raw.length).toBeLessThan(2500);

      // the job's retry carries on: the campaign finishes, nothing left queued or sending
      await waitFor(
        async () =>
          (await runtime.delivery.service.progress(campaign.id)).campaign.status === 'done',
        60_000,
        'done',
      );
      const { counts } = await runtime.delivery.service.progress(campaign.id);
      expect(counts).toMatchObject({ queued: 0, sending: 0 });
    } finally {
      await runtime.close();
      await closeRedisConnection(redis);
      await sink.close();
      await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    }
  });
});
