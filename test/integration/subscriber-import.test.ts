import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { openDatabase, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { hashEmail, type SubscriberService } from '../../src/subscribers/index.ts';
import { waitFor } from '../helpers/campaign-fixtures.ts';
import {
  databaseKinds,
  openTestPostgres,
  type TestDatabase,
  testDatabaseUrl,
} from '../helpers/databases.ts';
import { cleanSubscriberTables } from '../helpers/subscriber-tables.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/csv');
const fixture = (name: string) => createReadStream(path.join(fixtures, name));

describe.each(databaseKinds)('CSV import on $name', ({ open }) => {
  let database: TestDatabase;
  let service: SubscriberService;
  beforeAll(async () => {
    database = await open();
    service = buildSubscriberService({
      db: database.handle.db,
      clock: fixedClock('2026-11-23T10:00:00Z'),
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanSubscriberTables(database.handle.db);
  });

  const importFile = (name: string, options: { isConfirmed?: boolean; isDryRun?: boolean } = {}) =>
    service.importCsv(fixture(name), { newsletterId: 'adn', fileName: name, ...options });

  it('imports the valid rows and reports each bad one with its line and reason', async () => {
    const summary = await importFile('mixed.csv');
    expect(summary).toMatchObject({
      rows: 9,
      created: 4,
      updated: 0,
      unchanged: 1,
      suppressed: 0,
      invalid: 4,
    });
    expect(summary.invalidRows).toEqual([
      { line: 3, reason: "'not-an-address' is not a valid email address" },
      { line: 4, reason: 'email is empty' },
      { line: 6, reason: expect.stringContaining("unknown country 'Atlantis'") },
      { line: 8, reason: expect.stringContaining("unknown language 'es'") },
    ]);
    const john = await service.findByEmail('john.smith@example.edu');
    expect(john?.subscriber).toMatchObject({
      name: 'John "JJ" Smith',
      locale: 'en',
      country: 'US',
      careerStage: 'established',
    });
    expect(john?.subscriptions).toMatchObject([{ newsletterId: 'adn', status: 'pending' }]);
    const lucas = await service.findByEmail('lucas.martin@example.edu');
    expect(lucas?.subscriber).toMatchObject({
      email: 'lucas.martin@example.edu',
      locale: 'en',
      country: 'US',
      careerStage: 'early-career',
    });
    const camille = await service.findByEmail('camille.durand@example.org');
    expect(camille?.subscriber.attributes).toEqual({ laboratory: 'LSCE' });
    const hugo = await service.findByEmail('hugo.lefebvre@example.fr');
    expect(hugo?.subscriber).toMatchObject({
      name: 'Hugo Lefèbvre',
      researchField: 'Économie de la recherche',
      careerStage: 'other',
    });
  });

  it('reads a French spreadsheet export: BOM, semicolons, accents, prénom + nom', async () => {
    const summary = await importFile('french-semicolon-bom.csv', { isConfirmed: true });
    expect(summary).toMatchObject({
      encoding: 'utf-8',
      rows: 5,
      created: 3,
      unchanged: 1,
      invalid: 1,
    });
    expect(summary.invalidRows[0]?.line).toBe(3);
    const sophie = await service.findByEmail('sophie.nguyen@example.org');
    expect(sophie?.subscriber).toMatchObject({
      name: 'Sophie Nguyen',
      locale: 'fr',
      country: 'DE',
      researchField: 'Immunologie',
      careerStage: 'doctoral',
      attributes: { unite: 'UMR 1234' },
    });
    expect(sophie?.subscriptions).toMatchObject([{ newsletterId: 'adn', status: 'active' }]);
    const emile = await service.findByEmail('emile.zola@example.fr');
    expect(emile?.subscriber).toMatchObject({
      name: 'Émile Zola',
      researchField: 'Lettres; histoire',
    });
    const diego = await service.findByEmail('diego.hernandez@example.mx');
    expect(diego?.subscriber).toMatchObject({
      name: 'Diego Hernández',
      locale: 'en',
      country: 'MX',
    });
  });

  it('reads a file in Windows-1252, as Excel on Windows writes "CSV"', async () => {
    const summary = await importFile('excel-windows-1252.csv');
    expect(summary).toMatchObject({ encoding: 'windows-1252', rows: 3, created: 3, invalid: 0 });
    expect((await service.findByEmail('helene.leger@example.fr'))?.subscriber).toMatchObject({
      name: 'Hélène Léger',
      country: 'FR',
      attributes: { unite: 'UMR « Océans »' },
    });
    expect((await service.findByEmail('jose.nunez@example.mx'))?.subscriber).toMatchObject({
      name: 'José Núñez',
      country: 'MX',
      attributes: { unite: 'Institut d’écologie – 2 €' },
    });
    expect((await service.findByEmail('francoise.oeuvre@example.fr'))?.subscriber).toMatchObject({
      name: 'Françoise Œuvre',
      country: 'CI',
    });
  });

  it('changes nothing when the same file is imported again', async () => {
    await importFile('mixed.csv');
    const before = await queryRows<{ row: string }>(
      database.handle.db,
      sql`SELECT s::text AS row FROM subscribers s ORDER BY id`,
    );
    const events = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM consent_events`,
    );
    const again = await importFile('mixed.csv');
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, invalid: 4 });
    const after = await queryRows<{ row: string }>(
      database.handle.db,
      sql`SELECT s::text AS row FROM subscribers s ORDER BY id`,
    );
    expect(after).toEqual(before);
    const eventsAfter = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM consent_events`,
    );
    expect(eventsAfter).toEqual(events);
    // --confirmed then makes the pending subscriptions active; the repeated line is unchanged
    expect(await importFile('mixed.csv', { isConfirmed: true })).toMatchObject({
      created: 0,
      updated: 4,
      unchanged: 1,
    });
  });

  it('never resubscribes suppressed or unsubscribed addresses, nor erased ones', async () => {
    await importFile('mixed.csv', { isConfirmed: true });
    await service.suppress('camille.durand@example.org', 'hard_bounce', '550 5.1.1');
    await service.remove('lucas.martin@example.edu', 'adn', { source: 'cli' });
    await service.erase('john.smith@example.edu', { source: 'cli' });
    const summary = await importFile('mixed.csv', { isConfirmed: true });
    expect(summary).toMatchObject({ created: 0, unchanged: 1, suppressed: 4 });
    expect(await service.findByEmail('john.smith@example.edu')).toBeNull();
    const lucas = await service.findByEmail('lucas.martin@example.edu');
    expect(lucas?.subscriptions[0]?.status).toBe('unsubscribed');
  });

  it('writes nothing in a dry run', async () => {
    const summary = await importFile('mixed.csv', { isDryRun: true });
    expect(summary).toMatchObject({ isDryRun: true, created: 4, unchanged: 1, invalid: 4 });
    expect((await service.stats()).subscribers).toBe(0);
  });

  it('refuses a file without an email column, naming the headers found', async () => {
    await expect(importFile('no-email.csv')).rejects.toThrow(
      /'no-email.csv' has no email column.*found: 'name', 'country'/,
    );
    await expect(
      service.importCsv(Readable.from([]), { newsletterId: 'adn', fileName: 'empty.csv' }),
    ).rejects.toThrow(/no email column/);
  });

  it('imports thousands of rows across batches, a repeated address included', async () => {
    const lines = ['email;nom;pays'];
    for (let i = 0; i < 2500; i += 1) lines.push(`user${i}@example.org;Nom ${i};FR`);
    lines.push('USER7@example.org;Nom 7;FR');
    const summary = await service.importCsv(Readable.from([`${lines.join('\r\n')}\r\n`]), {
      newsletterId: 'fil-de-marianne',
      fileName: 'generated.csv',
      isConfirmed: true,
      batchSize: 1000,
    });
    expect(summary).toMatchObject({ rows: 2501, created: 2500, unchanged: 1, invalid: 0 });
    const stats = await service.stats();
    expect(stats.newsletters).toEqual([
      { newsletterId: 'fil-de-marianne', pending: 0, active: 2500, unsubscribed: 0 },
    ]);
  });

  it('writes batches concurrently, a repeated address still taking its last line', async () => {
    const lines = ['email,name'];
    for (let i = 0; i < 3000; i += 1) lines.push(`c${i}@example.org,Name ${i}`);
    lines.push('c10@example.org,Renamed');
    lines.push('c2999@example.org,Last');
    const summary = await service.importCsv(Readable.from([lines.join('\n')]), {
      newsletterId: 'adn',
      fileName: 'concurrent.csv',
      batchSize: 500,
      concurrency: 3,
    });
    expect(summary).toMatchObject({ rows: 3002, created: 3000, updated: 2, invalid: 0 });
    expect((await service.findByEmail('c10@example.org'))?.subscriber.name).toBe('Renamed');
    expect((await service.findByEmail('c2999@example.org'))?.subscriber.name).toBe('Last');
    expect((await service.stats()).newsletters).toEqual([
      { newsletterId: 'adn', pending: 3000, active: 0, unsubscribed: 0 },
    ]);
  });

  it('stops with a clear error when an address conflicts yet cannot be found by its hash', async () => {
    // a row no code of ours writes: the address under a hash that is not its own
    await database.handle.db.execute(
      sql`INSERT INTO subscribers (email, email_hash) VALUES ('odd@example.org', 'not-its-hash')`,
    );
    const csv = 'email,name\nfine@example.org,Fine\nODD@example.org,Odd\n';
    await expect(
      service.importCsv(Readable.from([csv]), { newsletterId: 'adn', fileName: 'odd.csv' }),
    ).rejects.toThrow(/'odd.csv': 1 of its addresses conflict with stored subscribers/);
    // the batch was rolled back whole
    expect(await service.findByEmail('fine@example.org')).toBeNull();
  });

  const importText = (text: string | Readable, options: { batchSize?: number } = {}) =>
    service.importCsv(typeof text === 'string' ? Readable.from([Buffer.from(text)]) : text, {
      newsletterId: 'adn',
      fileName: 'bad.csv',
      ...options,
    });
  const storedEmails = async () =>
    (
      await queryRows<{ email: string }>(
        database.handle.db,
        sql`SELECT email FROM subscribers ORDER BY email`,
      )
    ).map((row) => row.email);

  it('reads Unicode text as Excel saves it: UTF-16 with tabs', async () => {
    const text = '\uFEFFcourriel\tprénom\tnom\r\nzoe@example.fr\tZoé\tŁukasiewicz\r\n';
    const summary = await importText(Readable.from([iconv.encode(text, 'utf-16le')]));
    expect(summary).toMatchObject({ encoding: 'utf-16le', created: 1, invalid: 0 });
    const [row] = await queryRows<{ name: string }>(
      database.handle.db,
      sql`SELECT name FROM subscribers`,
    );
    expect(row?.name).toBe('Zoé Łukasiewicz');
  });

  it('reads every line of a file mixing CRLF, LF and lone CR line breaks', async () => {
    const summary = await importText(
      'email;name\r\na@example.org;A\nb@example.org;B\rc@example.org;C\r\nnot-an-address;D\n',
    );
    expect(summary).toMatchObject({ rows: 4, created: 3, invalid: 1 });
    expect(summary.invalidRows).toEqual([
      { line: 5, reason: "'not-an-address' is not a valid email address" },
    ]);
    expect(await storedEmails()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  });

  it('reports a broken quote with the lines it swallowed, and imports the rows before', async () => {
    const summary = await importText(
      'email,name\na@example.org,A\nb@example.org,"B"x\nc@example.org,C\n',
    );
    expect(summary).toMatchObject({ created: 1, invalid: 1 });
    expect(summary.invalidRows).toEqual([
      {
        line: 3,
        reason:
          'a quoted cell has text after its closing quote: lines 3 to 4 were read as one record',
      },
    ]);
    expect(await storedEmails()).toEqual(['a@example.org']);
  });

  it('stops at a quote never closed in a large file instead of holding the file in memory', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `u${i}@example.org,U ${i}`).join('\n');
    const text = `email,name\n${rows}\nbad@example.org,"never closed\n${'x,y\n'.repeat(300_000)}`;
    await expect(importText(text, { batchSize: 1000 })).rejects.toThrow(
      /'bad\.csv', line 3002: a record longer than 1048576 characters \(a quote never closed\?\)/,
    );
    // batches written before stay (an interrupted import is run again once the file is mended)
    expect((await storedEmails()).length).toBeGreaterThanOrEqual(2000);
  });

  it('fails, and does not hang, when reading the file fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('email,name\na@example.org,A\n'));
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(importText(failing)).rejects.toThrow('disk gone');
  });

  it('imports nothing from a header without rows, and counts a file of bad rows as invalid', async () => {
    expect(await importText('email;name\n')).toMatchObject({ rows: 0, created: 0, invalid: 0 });
    const bad = await importText('email;name\nnope;A\n;B\nstill-not@;C\n');
    expect(bad).toMatchObject({ rows: 3, created: 0, invalid: 3 });
    expect(bad.invalidRows.map((row) => row.line)).toEqual([2, 3, 4]);
    expect(await storedEmails()).toEqual([]);
  });

  it('keeps quotes, backslashes, braces, commas and NULL-like text intact', async () => {
    const csv = ['email;name;field', 'q@example.org;"Anne ""A\\B"" {x}, NULL";NULL'].join('\n');
    await service.importCsv(Readable.from([csv]), { newsletterId: 'adn', fileName: 'q.csv' });
    expect((await service.findByEmail('q@example.org'))?.subscriber).toMatchObject({
      name: 'Anne "A\\B" {x}, NULL',
      researchField: 'NULL',
    });
  });

  it('takes the rows of its newsletter from a newsletters column and skips unsubscribed ones', async () => {
    const csv = [
      'email,name,newsletters,status',
      'a@example.org,A,adn fil-de-marianne,',
      'b@example.org,B,fil-de-marianne,',
      'c@example.org,C,,unsubscribed',
    ].join('\n');
    const summary = await service.importCsv(Readable.from([csv]), {
      newsletterId: 'adn',
      fileName: 'lists.csv',
    });
    expect(summary).toMatchObject({ rows: 3, created: 1, skipped: 2 });
  });
});

// Another process inserting the same address while a batch is written: only PostgreSQL serves
// two connections at once. The other transaction holds the address uncommitted, the import's
// insert waits on it, and the commit turns that wait into a conflict.
describe('CSV import racing another writer on postgres', () => {
  let database: TestDatabase;
  let service: SubscriberService;
  let schema: string;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await openTestPostgres();
    service = buildSubscriberService({
      db: database.handle.db,
      clock: fixedClock('2026-11-23T10:00:00Z'),
      logger: createSilentLogger(),
    });
    const rows = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    schema = rows[0]?.schema ?? '';
    admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });
  beforeEach(async () => {
    await cleanSubscriberTables(database.handle.db);
  });

  /** Imports `csv` while another connection inserts race@example.org and commits mid-batch. */
  async function importRacing(isDryRun: boolean) {
    const other = new pg.Client({
      connectionString: testDatabaseUrl,
      options: `-c search_path=${schema}`,
    });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO subscribers (email, email_hash, name) VALUES ($1, $2, 'Other')`,
        ['race@example.org', hashEmail('race@example.org')],
      );
      const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const importing = service.importCsv(
        Readable.from(['email,name\na@example.org,A\nrace@example.org,Race\nb@example.org,B\n']),
        { newsletterId: 'adn', fileName: 'race.csv', isDryRun },
      );
      await waitFor(
        async () => {
          const waiting = await admin.query(
            'SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
            [rows[0]?.pid],
          );
          return waiting.rowCount === 1;
        },
        60_000,
        'the import to wait on the other transaction',
      );
      await other.query('COMMIT');
      return await importing;
    } finally {
      await other.end();
    }
  }

  it('writes the batch again, taking the address inserted meanwhile as a known one', async () => {
    const summary = await importRacing(false);
    expect(summary).toMatchObject({ rows: 3, created: 3, updated: 0, invalid: 0 });
    const race = await service.findByEmail('race@example.org');
    // the other process's subscriber, with the file's name and a subscription of the file
    expect(race?.subscriber.name).toBe('Race');
    expect(race?.subscriptions).toMatchObject([{ newsletterId: 'adn', status: 'pending' }]);
    expect((await service.stats()).subscribers).toBe(3);
    const events = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM consent_events WHERE kind = 'import'`,
    );
    expect(events[0]?.n).toBe(3);
  });

  it('plans the address again in a dry run, and writes nothing', async () => {
    const summary = await importRacing(true);
    expect(summary).toMatchObject({ isDryRun: true, rows: 3, created: 3, invalid: 0 });
    expect((await service.stats()).subscribers).toBe(1);
    expect((await service.findByEmail('race@example.org'))?.subscriber.name).toBe('Other');
  });
});

describe('CSV import losing its PostgreSQL connections', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await openTestPostgres();
    admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  it('fails with the database error, batches in flight settled, the process unharmed', async () => {
    const [{ schema } = { schema: '' }] = await queryRows<{ schema: string }>(
      database.handle.db,
      sql`SELECT current_schema() AS schema`,
    );
    const application = `import-kill-${process.pid}`;
    const handle = await openDatabase({
      kind: 'postgres',
      url: `${testDatabaseUrl}?application_name=${application}`,
      schema,
    });
    const service = buildSubscriberService({
      db: handle.db,
      clock: fixedClock('2026-11-23T10:00:00Z'),
      logger: createSilentLogger(),
    });
    const lines = Array.from({ length: 30_000 }, (_, i) => `k${i}@example.org,K ${i}`);
    let isKilled = false;
    try {
      const importing = service.importCsv(Readable.from([`email,name\n${lines.join('\n')}\n`]), {
        newsletterId: 'adn',
        fileName: 'kill.csv',
        batchSize: 500,
        concurrency: 3,
        // the server drops every connection of the import once its first batch is written
        onProgress: () => {
          if (isKilled) return;
          isKilled = true;
          void admin.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
            [application],
          );
        },
      });
      await expect(importing).rejects.toThrow();
      expect(isKilled).toBe(true);
    } finally {
      await handle.close();
    }
    // what was committed stays whole: each subscriber has its subscription and consent event
    const [counts] = await queryRows<{
      subscribers: number;
      subscriptions: number;
      events: number;
    }>(
      database.handle.db,
      sql`SELECT (SELECT count(*)::int FROM subscribers) AS subscribers,
                 (SELECT count(*)::int FROM subscriptions) AS subscriptions,
                 (SELECT count(*)::int FROM consent_events) AS events`,
    );
    expect(counts?.subscribers).toBeLessThan(30_000);
    expect(counts?.subscriptions).toBe(counts?.subscribers);
    expect(counts?.events).toBe(counts?.subscribers);
  });
});
