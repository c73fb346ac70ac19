/**
 * CSV import benchmark: `npx tsx bench/import.ts` prints JSON.
 *
 * - rows/s importing 100,000 generated subscribers into PostgreSQL (a fresh schema in
 *   TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, dropped after) and into
 *   PGlite (a fresh data directory);
 * - where the time goes: CPU seconds of the importing Node process during the import
 *   (`nodeCpuSeconds`, PGlite included for PGlite) and, when the PostgreSQL server runs on this
 *   machine, of its backends serving the import (`postgresCpuSeconds`, read from /proc; null
 *   otherwise);
 * - peak RSS of the importing process at 100,000 and at 300,000 rows (PostgreSQL), each import
 *   in its own child process so that each peak is measured alone.
 *
 * Options: `--rows N` (default 100000), `--large N` (default 300000).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sql } from 'drizzle-orm';
import pg from 'pg';

import { buildSubscriberService } from '../src/app/subscriber-stores.ts';
import { type Database, migrate, openDatabase, queryRows } from '../src/db/index.ts';
import { createSilentLogger, systemClock } from '../src/lib/index.ts';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const thisFile = fileURLToPath(import.meta.url);

const stages = ['doctoral', 'postdoc', 'early-career', 'established', 'other'];
const countries = ['FR', 'US', 'MX', 'CA', 'DE', 'GB', 'JP'];

/** Writes a CSV of `rows` subscribers, French headers and `;` as spreadsheets export them. */
async function generate(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('\uFEFFcourriel;prénom;nom;langue;pays;domaine;statut;laboratoire\r\n');
  for (let i = 0; i < rows; i += 1) {
    await write(
      `chercheur.${i}@universite-${i % 97}.example.fr;Amélie;Dupré-${i};${i % 3 === 0 ? 'en' : 'fr'};` +
        `${countries[i % countries.length]};Physique ${i % 40};${stages[i % stages.length]};UMR ${i % 500}\r\n`,
    );
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return (await stat(file)).size;
}

/**
 * CPU seconds (user + system) of the server processes of the connections named `application`,
 * by pid, read from /proc: null when the server is not on this machine. Clock ticks of 1/100 s,
 * Linux's USER_HZ.
 */
async function backendCpu(db: Database, application: string): Promise<Map<number, number> | null> {
  const rows = await queryRows<{ pid: number }>(
    db,
    sql`SELECT pid FROM pg_stat_activity WHERE application_name = ${application}`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (text === null) return null;
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return cpu;
}

/**
 * Child: imports `file` and prints rows, milliseconds, the CPU time of this process and of the
 * PostgreSQL backends during the import, and the peak RSS of this process.
 */
async function child(kind: 'postgres' | 'pglite', file: string, target: string): Promise<void> {
  const application = `depeche-bench-${process.pid}`;
  const handle =
    kind === 'postgres'
      ? await openDatabase({
          kind: 'postgres',
          url: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}application_name=${application}`,
          schema: target,
        })
      : await openDatabase({ kind: 'pglite', dataDir: target, holder: 'bench' });
  await migrate(handle);
  const service = buildSubscriberService({
    db: handle.db,
    clock: systemClock,
    logger: createSilentLogger(),
  });
  const backendsBefore = kind === 'postgres' ? await backendCpu(handle.db, application) : null;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await service.importCsv(createReadStream(file), {
    newsletterId: 'adn',
    fileName: path.basename(file),
    isConfirmed: true,
    // as `depeche subscribers import` does
    concurrency: kind === 'postgres' ? 3 : 1,
  });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const backendsAfter = kind === 'postgres' ? await backendCpu(handle.db, application) : null;
  let postgresCpuSeconds: number | null = null;
  if (backendsBefore && backendsAfter) {
    postgresCpuSeconds = 0;
    for (const [pid, seconds] of backendsAfter)
      postgresCpuSeconds += seconds - (backendsBefore.get(pid) ?? 0);
  }
  await handle.close();
  process.stdout.write(
    JSON.stringify({
      created: summary.created,
      invalid: summary.invalid,
      ms: Math.round(ms),
      nodeCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      postgresCpuSeconds: postgresCpuSeconds === null ? null : +postgresCpuSeconds.toFixed(2),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

interface ChildResult {
  created: number;
  invalid: number;
  ms: number;
  nodeCpuSeconds: number;
  postgresCpuSeconds: number | null;
  peakRssMb: number;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', thisFile, '--child', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as ChildResult)
        : reject(new Error(`child exited with ${code}`)),
    );
  });
}

async function withSchema<T>(work: (schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    return await work(schema);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const option = (name: string, fallback: number) => {
    const index = process.argv.indexOf(name);
    return index > 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const rows = option('--rows', 100_000);
  const large = option('--large', 300_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'depeche-bench-'));
  try {
    const small = path.join(dir, `subscribers-${rows}.csv`);
    const big = path.join(dir, `subscribers-${large}.csv`);
    const smallBytes = await generate(small, rows);
    const bigBytes = await generate(big, large);
    const postgres = await withSchema((schema) => runChild(['postgres', small, schema]));
    const pglite = await runChild(['pglite', small, path.join(dir, 'pglite')]);
    const postgresLarge = await withSchema((schema) => runChild(['postgres', big, schema]));
    const rate = (r: ChildResult) => Math.round((r.created / r.ms) * 1000);
    process.stdout.write(
      `${JSON.stringify(
        {
          rows,
          fileMb: +(smallBytes / 1e6).toFixed(1),
          postgres: {
            rowsPerSecond: rate(postgres),
            seconds: postgres.ms / 1000,
            created: postgres.created,
            nodeCpuSeconds: postgres.nodeCpuSeconds,
            postgresCpuSeconds: postgres.postgresCpuSeconds,
          },
          pglite: {
            rowsPerSecond: rate(pglite),
            seconds: pglite.ms / 1000,
            created: pglite.created,
            nodeCpuSeconds: pglite.nodeCpuSeconds,
          },
          peakRssMb: {
            [`postgres_${rows}`]: postgres.peakRssMb,
            [`postgres_${large}`]: postgresLarge.peakRssMb,
            [`pglite_${rows}`]: pglite.peakRssMb,
          },
          large: {
            rows: large,
            fileMb: +(bigBytes / 1e6).toFixed(1),
            postgresRowsPerSecond: rate(postgresLarge),
            nodeCpuSeconds: postgresLarge.nodeCpuSeconds,
            postgresCpuSeconds: postgresLarge.postgresCpuSeconds,
          },
          loadAverage: os.loadavg().map((load) => +load.toFixed(2)),
          targetRowsPerSecond: 50_000,
          node: process.version,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [kind, file, target] = process.argv.slice(3);
  await child(kind as 'postgres' | 'pglite', file ?? '', target ?? '');
} else {
  await main();
}
