import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { type ServeProcess, startServeProcess } from '../../src/app/serve-process.ts';
import { loadConfig } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger } from '../../src/lib/index.ts';
import { bounceFixture, seedDelivery } from '../helpers/bounce-fixtures.ts';
import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('depeche serve on the embedded database also receives bounces', () => {
  let dataDir: string;
  let running: ServeProcess;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'depeche-serve-inbound-'));
    running = await startServeProcess({
      config: loadConfig({
        DEPECHE_ENV: 'test',
        DATA_DIR: dataDir,
        SECRET_KEY: 'test-secret-key-0123456789-abcdefghijkl',
        QUEUE_PREFIX: prefix,
        BOUNCE_ADDRESS: 'bounces@news.example.org',
        UNSUBSCRIBE_MAILTO: 'unsubscribe@news.example.org',
        INBOUND_PORT: '0',
        LOG_LEVEL: 'silent',
      }),
      logger: createSilentLogger(),
      host: '127.0.0.1',
      port: 0,
      isRunningWorkers: true,
      isPollingFeeds: false,
    });
  });
  afterAll(async () => {
    await running.close();
    await deleteRedisKeys('redis://127.0.0.1:6379', prefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the inbound SMTP server beside the workers and processes a mailto unsubscribe', async () => {
    expect(running.inboundPort).toBeGreaterThan(0);
    const db = running.services.database.db;
    const sent = await seedDelivery(db, 'marie@univ.example.org');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: running.inboundPort,
      ignoreTLS: true,
    });
    await transport.sendMail({
      envelope: { from: 'marie@univ.example.org', to: ['unsubscribe@news.example.org'] },
      raw: await bounceFixture('mailto-unsubscribe.eml', { messageId: sent.messageId }),
    });
    transport.close();
    const rows = await queryRows<{ newsletter_id: string; status: string }>(
      db,
      sql`SELECT newsletter_id, status FROM subscriptions ORDER BY newsletter_id`,
    );
    expect(rows).toEqual([
      { newsletter_id: 'adn', status: 'unsubscribed' },
      { newsletter_id: 'fil', status: 'active' },
    ]);
  });
});
