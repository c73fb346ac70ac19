/**
 * Campaign progress benchmark: the status the workspace's campaign page polls and `campaign
 * status --watch` reads, under load, for one campaign of 10,000 recipients in the middle of its
 * send, on PostgreSQL.
 *
 * Run: `npx tsx bench/progress.ts [--recipients 10000] [--callers 100] [--duration 5]
 * [--write-rate 200]` with PostgreSQL at TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test; a schema is created and dropped). Prints one JSON
 * object:
 *
 * - `single`: one reading at a time (latency of the statement alone);
 * - `shared`: `--callers` callers in a loop on one campaign reader, as the web process serves
 *   them (callers asking while a reading runs share it);
 * - `unshared`: the same callers each making their own reading (what sharing saves);
 * - `endpoint`: the same callers on `GET /editor/campaigns/:id/progress` of the workspace, signed
 *   in as an editor, through Fastify's `inject()` (routing, session check, JSON; no socket).
 *
 * Half the rows are sent before the runs; while they run, a writer marks `--write-rate` queued
 * rows sent per second (20 per statement), so the counts move and the table churns as it does
 * under the sending workers.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';

import pg from 'pg';

import { buildSubscriberService } from '../src/app/subscriber-stores.ts';
import { createEditorWorkspaceDeps, createWebDeps } from '../src/app/web-deps.ts';
import {
  buildSendingStatus,
  type CampaignService,
  contentHashOf,
  createCampaignReader,
  speedWindowSec,
} from '../src/campaigns/index.ts';
import {
  createAudienceRepository,
  createAuditRepository,
  createCampaignProgressRepository,
  createCampaignRepository,
  createDeliveryRepository,
  migrate,
  openDatabase,
} from '../src/db/index.ts';
import { commandLineActor } from '../src/editors/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';
import { createTokenSigner } from '../src/subscribers/index.ts';
import { buildApp } from '../src/web/index.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const recipients = argument('--recipients', 10_000);
const callers = argument('--callers', 100);
const durationSec = argument('--duration', 5);
const writeRate = argument('--write-rate', 200);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_progress_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return Number(value.toFixed(2));
}

/** `callers` loops calling `call` for `durationSec`; calls per second and latency. */
async function load(call: () => Promise<unknown>, callerCount: number) {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + durationSec * 1000;
  await Promise.all(
    Array.from({ length: callerCount }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await call();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedSec = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    callsPerSec: Math.round(latencies.length / elapsedSec),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerCall: Number(((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(3)),
  };
}

const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const handle = await openDatabase({ kind: 'postgres', url: databaseUrl, schema, poolSize: 10 });
try {
  await migrate(handle);
  const db = handle.db;
  await admin.query(`SET search_path = ${schema}`);
  await admin.query(
    `INSERT INTO subscribers (email, email_hash, locale)
     SELECT 'bench' || i || '@example.org', md5(i::text), 'fr' FROM generate_series(1, $1) AS i`,
    [recipients],
  );
  await admin.query(
    `INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
     SELECT id, 'adn', 'active', now() FROM subscribers`,
  );
  const bodies = [
    { locale: 'fr' as const, subject: 'AdN', preheader: '', html: '<p>AdN</p>', text: 'AdN' },
  ];
  const campaign = await createCampaignRepository().create(db, {
    newsletterId: 'adn',
    issueKey: 'adn/2026-11',
    segment: {},
    newsletter: { id: 'adn', title: 'AdN', sender: { name: 'AdN', email: 'adn@example.org' } },
    contentHash: contentHashOf(bodies),
    bodies,
  });
  // Mid-send: every row written by the fan-out, half of them sent over the last minute.
  await admin.query(
    `UPDATE campaigns SET status = 'sending', is_fanout_done = true, started_at = now() - interval '2 minutes',
       recipient_count = $2 WHERE id = $1`,
    [campaign.id, recipients],
  );
  await admin.query(
    `INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, updated_at)
     SELECT $1, id, (id - 1) / 200,
            CASE WHEN id <= $2 / 2 THEN 'sent' ELSE 'queued' END,
            now() - ((($2 / 2) - id) * interval '1 minute' / ($2 / 2))
     FROM subscribers`,
    [campaign.id, recipients],
  );
  await admin.query('ANALYZE');

  let isWriting = true;
  const writer = (async () => {
    const perStatement = 20;
    const pauseMs = (perStatement * 1000) / writeRate;
    while (isWriting) {
      await admin.query(
        `UPDATE deliveries SET status = 'sent', updated_at = now(), sent_at = now()
         WHERE id IN (SELECT id FROM deliveries WHERE campaign_id = $1 AND status = 'queued'
                      ORDER BY id LIMIT $2)`,
        [campaign.id, perStatement],
      );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();

  const progress = createCampaignProgressRepository();
  let readings = 0;
  const reader = createCampaignReader({
    db,
    campaigns: createCampaignRepository(),
    deliveries: createDeliveryRepository(),
    audience: createAudienceRepository(),
    progress: {
      read: (_handle, campaignId, windowSec) => {
        readings += 1;
        return progress.read(db, campaignId, windowSec);
      },
    },
  });
  const readAlone = async () => {
    const reading = await progress.read(db, campaign.id, speedWindowSec);
    if (!reading) throw new Error('campaign vanished');
    return buildSendingStatus(reading);
  };

  const single = await load(readAlone, 1);
  readings = 0;
  const shared = { ...(await load(() => reader.status(campaign.id), callers)), readings };
  const unshared = await load(readAlone, callers);

  // The workspace's endpoint: the same reader behind the progress route, a signed-in editor.
  const logger = createSilentLogger();
  const transactionalQueue = { add: async () => undefined as never };
  const editorDeps = createEditorWorkspaceDeps({
    db,
    clock: systemClock,
    config: {
      EDITOR_SESSION_IDLE_MINUTES: 60,
      EDITOR_SESSION_MAX_HOURS: 12,
      DEPECHE_ENV: 'test',
      ISSUES_DIR: 'issues',
    },
    transactionalQueue,
    campaigns: {
      // the progress route never acts on a campaign
      delivery: {} as CampaignService,
      reader: createCampaignReader({
        db,
        campaigns: createCampaignRepository(),
        deliveries: createDeliveryRepository(),
        audience: createAudienceRepository(),
        progress,
      }),
      audit: createAuditRepository(db),
      clock: systemClock,
    },
  });
  const app = await buildApp(
    createWebDeps({
      db,
      subscribers: buildSubscriberService({ db, clock: systemClock, logger }),
      tokens: createTokenSigner({
        keyId: 'bench',
        secret: 'benchmark-secret-of-at-least-32-chars',
      }),
      transactionalQueue,
      newsletters: [{ id: 'adn', title: 'AdN' }],
      publicUrl: 'http://127.0.0.1',
      clock: systemClock,
      logger,
      editor: editorDeps,
    }),
  );
  await editorDeps.accounts.add(commandLineActor('bench'), {
    email: 'bench@example.org',
    role: 'editor',
  });
  const issued = await editorDeps.sessions.requestSignIn('bench@example.org');
  const signedIn = issued ? await editorDeps.sessions.signIn(issued.token) : null;
  if (!signedIn) throw new Error('bench editor could not sign in');
  let non200 = 0;
  const endpoint = {
    ...(await load(async () => {
      const response = await app.inject({
        method: 'GET',
        url: `/editor/campaigns/${campaign.id}/progress`,
        cookies: { depeche_editor: signedIn.sessionId },
      });
      if (response.statusCode !== 200) non200 += 1;
    }, callers)),
    non200,
  };
  await app.close();
  isWriting = false;
  await writer;
  const last = await reader.status(campaign.id);

  console.log(
    JSON.stringify(
      {
        recipients,
        callers,
        durationSec,
        writeRatePerSec: writeRate,
        single,
        shared: { ...shared, readingsPerSec: Math.round(shared.readings / durationSec) },
        unshared,
        endpoint,
        lastStatus: {
          sent: last.sent,
          remaining: last.remaining,
          messagesPerSecond: last.messagesPerSecond,
          etaSeconds: last.etaSeconds,
        },
        machine: {
          cpus: os.cpus().length,
          loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
          node: process.version,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await handle.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
