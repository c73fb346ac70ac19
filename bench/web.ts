/**
 * Web benchmark: `npx tsx bench/web.ts` prints JSON — requests/s and latency (p50, p99) of the
 * subscribe POST and of the RFC 8058 one-click unsubscribe POST under autocannon on loopback,
 * against PostgreSQL (a fresh schema in TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test, dropped after) and Redis (a unique queue prefix,
 * obliterated after).
 *
 * The server runs in a child process so that autocannon does not share its event loop.
 * Every one-click request carries the token of a different subscriber with an active
 * subscription (a real UPDATE + INSERT); every subscribe request a new address. The server logs
 * as `depeche serve` does, to the null device.
 *
 * Options: `--duration S` (default 10), `--connections N` (default 32), `--subscribers N`
 * (default 60000), `--only one-click|subscribe` (run one of the two), `--cpu-prof DIR` (the
 * server child writes a V8 CPU profile there when it stops; open it in Chrome DevTools).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';

import { buildSubscriberService } from '../src/app/subscriber-stores.ts';
import { createWebDeps } from '../src/app/web-deps.ts';
import { openDatabase } from '../src/db/index.ts';
import { createLogger, systemClock } from '../src/lib/index.ts';
import { openTransactionalQueue } from '../src/queue/index.ts';
import { createTokenSigner } from '../src/subscribers/index.ts';
import { buildApp } from '../src/web/index.ts';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tokenKey = { keyId: 'bench', secret: 'benchmark-secret-of-at-least-32-characters' };
const newsletters = [
  { id: 'adn', title: 'AdN' },
  { id: 'fil-de-marianne', title: 'Le fil de Marianne' },
];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

function textOption(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

/** Child: serves the pages on a free port, tells the parent the port, runs until killed. */
async function serve(schema: string, prefix: string): Promise<void> {
  // Logs as `depeche serve` does (JSON at info, written synchronously, redacted), into the void.
  const logger = createLogger({ destination: pino.destination({ dest: os.devNull, sync: true }) });
  const handle = await openDatabase({ kind: 'postgres', url: databaseUrl, schema, poolSize: 20 });
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const app = await buildApp(
    createWebDeps({
      db: handle.db,
      subscribers: buildSubscriberService({ db: handle.db, clock: systemClock, logger }),
      tokens: createTokenSigner(tokenKey),
      transactionalQueue: openTransactionalQueue(redis, {
        QUEUE_PREFIX: prefix,
        SEND_ATTEMPTS: 1,
        SEND_RETRY_DELAY_MS: 1000,
      }),
      newsletters,
      publicUrl: 'http://127.0.0.1',
      clock: systemClock,
      logger,
      rateLimits: { perIpPerMinute: 1_000_000_000, perAddressPerHour: 1_000_000 },
    }),
    // No request lines, as before the pages and `depeche serve` shared one builder: the
    // figures stay comparable with the earlier ones.
    { isLoggingRequests: false },
  );
  // A normal exit on SIGTERM, so that `--cpu-prof` writes its profile.
  process.once('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  // The parent asks for the CPU time used so far, to report the server's CPU per request.
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

/** CPU time (user + system, µs) the server child has used so far. */
function serverCpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const cpu = (message as { cpu?: NodeJS.CpuUsage }).cpu;
      if (cpu === undefined) return;
      child.off('message', onMessage);
      resolve(cpu.user + cpu.system);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/**
 * One autocannon run. Besides throughput and latency it reports the server's CPU time per
 * request (ms): on a shared machine the rate follows the load, the CPU per request much less.
 */
async function run(
  child: ChildProcess,
  options: autocannon.Options,
): Promise<{
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  serverCpuMsPerRequest: number;
}> {
  const cpuBefore = await serverCpuMicros(child);
  const result = await autocannon(options);
  const cpuMicros = (await serverCpuMicros(child)) - cpuBefore;
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    serverCpuMsPerRequest: Number(
      (cpuMicros / 1000 / Math.max(1, result.requests.total)).toFixed(3),
    ),
  };
}

async function main(): Promise<void> {
  const duration = option('duration', 10);
  const connections = option('connections', 32);
  const subscriberCount = option('subscribers', 60_000);
  const only = textOption('only');
  if (only !== undefined && only !== 'one-click' && only !== 'subscribe') {
    throw new Error(`--only takes one-click or subscribe, not '${only}'`);
  }
  const cpuProfileDir = textOption('cpu-prof');
  const schema = `bench_web_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const prefix = `{bench-web-${randomUUID().slice(0, 8)}}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const { migrate } = await import('../src/db/index.ts');
  const setup = await openDatabase({ kind: 'postgres', url: databaseUrl, schema });
  await migrate(setup);
  await setup.close();
  await admin.query(`SET search_path = ${schema}`);
  await admin.query(
    `INSERT INTO subscribers (email, email_hash)
     SELECT 'bench' || i || '@example.org', md5(i::text) FROM generate_series(1, $1) AS i`,
    [subscriberCount],
  );
  await admin.query(
    `INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
     SELECT id, 'adn', 'active', now() FROM subscribers`,
  );
  await admin.query('ANALYZE');

  const child = fork(fileURLToPath(import.meta.url), ['--serve', schema, prefix], {
    execArgv: [
      ...process.execArgv,
      ...(cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`]),
    ],
    stdio: 'inherit',
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  /** Loads the server with `requests` unless `--only` names the other POST. */
  const load = (name: 'one-click' | 'subscribe', requests: autocannon.Request[]) =>
    only === undefined || only === name
      ? run(child, { url: base, connections, duration, requests })
      : Promise.resolve(undefined);
  try {
    const signer = createTokenSigner(tokenKey);
    const tokens =
      only === 'subscribe'
        ? []
        : Array.from({ length: subscriberCount }, (_, i) =>
            signer.sign({ purpose: 'unsubscribe', subscriberId: i + 1, newsletterId: 'adn' }),
          );
    let next = 0;
    const oneClick = await load('one-click', [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
        setupRequest: (request) => ({
          ...request,
          path: `/u/${tokens[next++ % tokens.length]}`,
        }),
      },
    ]);
    const oneClickRequests = next;

    const form = await fetch(`${base}/subscribe`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    let n = 0;
    const subscribe = await load('subscribe', [
      {
        method: 'POST',
        path: '/subscribe',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        setupRequest: (request) => ({
          ...request,
          body: new URLSearchParams({
            _csrf: csrf,
            email: `new${n++}@example.org`,
            newsletters: 'fil-de-marianne',
            consent: 'yes',
          }).toString(),
        }),
      },
    ]);
    const unsubscribed = await admin.query(
      `SELECT count(*)::int AS n FROM subscriptions WHERE status = 'unsubscribed'`,
    );
    console.log(
      JSON.stringify(
        {
          machine: {
            cpus: os.cpus().length,
            node: process.version,
            // other processes share the machine: read the figures against the load
            loadAverage1m: Number(os.loadavg()[0]?.toFixed(1)),
          },
          database: 'postgresql (fresh schema)',
          durationSec: duration,
          connections,
          ...(oneClick && {
            oneClickUnsubscribe: {
              ...oneClick,
              requests: oneClickRequests,
              distinctSubscribers: Math.min(oneClickRequests, subscriberCount),
              unsubscribedRows: unsubscribed.rows[0]?.n,
            },
          }),
          ...(subscribe && { subscribe: { ...subscribe, requests: n } }),
          targetOneClickRequestsPerSec: 2000,
        },
        null,
        2,
      ),
    );
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const queue = openTransactionalQueue(redis, {
      QUEUE_PREFIX: prefix,
      SEND_ATTEMPTS: 1,
      SEND_RETRY_DELAY_MS: 1000,
    });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] ?? '', process.argv[4] ?? '');
} else {
  await main();
}
