import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { queryRows } from '../../src/db/index.ts';
import type { Role } from '../../src/editors/index.ts';
import { exportColumns, hashEmail } from '../../src/subscribers/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const cli = { source: 'test' };

/** POSTs a multipart form with a file, as a browser's upload would. */
async function upload(
  app: FastifyInstance,
  browser: EditorBrowser,
  fields: Record<string, string>,
  file: { name: string; content: string | Buffer } | null,
  options: { csrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const page = await getPage(app, browser, '/editor/subscribers/import');
  const boundary = '----depecheTestBoundary';
  const parts: Buffer[] = [];
  const all = { ...(options.csrf === false ? {} : { _csrf: page.csrf ?? '' }), ...fields };
  for (const [name, value] of Object.entries(all)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
          'Content-Type: text/csv\r\n\r\n',
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({
    method: 'POST',
    url: '/editor/subscribers/import',
    cookies: browser.cookies,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(parts),
  });
}

const goodCsv = [
  'email;nom;langue',
  'nouvelle@example.org;Nouvelle Personne;fr',
  'pas-une-adresse;Quelqu’un;fr',
  'ALICE@example.org;Alice Martin;fr',
  'second@example.org;Second;en',
  ';Sans adresse;fr',
].join('\n');

describe.each(databaseKinds)('the subscriber pages on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let uploadDir: string;

  beforeEach(async () => {
    database = await open();
    uploadDir = await mkdtemp(path.join(os.tmpdir(), 'depeche-test-imports-'));
    web = await buildTestWebApp({
      database: database.handle,
      editor: { importUploadDir: uploadDir },
    });
    await web.subscribers.add(
      {
        email: 'alice@example.org',
        newsletterId: 'adn',
        isConfirmed: true,
        profile: { name: 'Alice Martin' },
      },
      cli,
    );
    await web.subscribers.add(
      {
        email: 'bob@example.org',
        newsletterId: 'fil-de-marianne',
        profile: { name: 'Bob Durand' },
      },
      cli,
    );
    await web.subscribers.add({ email: 'carole@lab.example', newsletterId: 'adn' }, cli);
  });
  afterEach(async () => {
    await web.app.close();
    await database.drop();
    await rm(uploadDir, { recursive: true, force: true });
  });

  const deps = () => {
    if (!web.editor) throw new Error('workspace not built');
    return web.editor;
  };
  const admin = () => signedInEditor(deps(), 'chef@example.org', 'admin');
  const count = async (table: string) => {
    // table names are the test's own constants
    const rows = await queryRows<{ n: number | string }>(
      database.handle.db,
      sql.raw(`SELECT count(*) AS n FROM ${table}`),
    );
    return Number(rows[0]?.n ?? 0);
  };
  const snapshot = async () => ({
    subscribers: await count('subscribers'),
    subscriptions: await count('subscriptions'),
    consent: await count('consent_events'),
    suppressions: await count('suppressions'),
    audit: await count('audit_log'),
  });

  it('searches by address or name, case-insensitively, with the state per newsletter', async () => {
    const browser = await admin();
    const all = await getPage(web.app, browser, '/editor/subscribers');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('<html lang="fr">');
    expect(all.body).toContain('alice@example.org');
    expect(all.body).toContain('bob@example.org');
    expect(all.body).toContain('carole@lab.example');

    const byName = await getPage(web.app, browser, '/editor/subscribers?q=MARTIN');
    expect(byName.body).toContain('alice@example.org');
    expect(byName.body).not.toContain('bob@example.org');
    // Alice: active on adn, nothing on the other newsletter
    const aliceRow = /<tr>\s*<th scope="row"><a[^>]*>alice@example\.org<\/a>[\s\S]*?<\/tr>/.exec(
      byName.body,
    )?.[0];
    expect(aliceRow).toContain('class="status-active">abonné');
    expect(aliceRow).toContain('class="status-none">');

    const byAddress = await getPage(web.app, browser, '/editor/subscribers?q=LAB.EXAMPLE');
    expect(byAddress.body).toContain('carole@lab.example');
    expect(byAddress.body).not.toContain('alice@example.org');
    expect(byAddress.body).toContain('en attente de confirmation');

    const wildcard = await getPage(web.app, browser, '/editor/subscribers?q=%25');
    expect(wildcard.body).toContain('Aucun abonné dont l’adresse ou le nom contient « % »');

    const bad = await getPage(web.app, browser, '/editor/subscribers?page=zero');
    expect(bad.statusCode).toBe(400);
  });

  it('pages the list', async () => {
    for (let i = 0; i < 52; i += 1) {
      await web.subscribers.add({ email: `page${i}@example.org`, newsletterId: 'adn' }, cli);
    }
    const browser = await admin();
    const first = await getPage(web.app, browser, '/editor/subscribers?q=page');
    expect(first.body).toContain('page0@example.org');
    expect(first.body).not.toContain('page50@example.org');
    // Handlebars escapes = as &#x3D;
    expect(first.body).toContain('href="/editor/subscribers?q&#x3D;page&amp;page&#x3D;2"');
    const second = await getPage(web.app, browser, '/editor/subscribers?q=page&page=2');
    expect(second.body).toContain('page50@example.org');
    expect(second.body).toContain('page51@example.org');
    expect(second.body).not.toContain('page0@example.org');
    expect(second.body).toContain('Page précédente');
    expect(second.body).not.toContain('Page suivante');
  });

  it("shows a subscriber's profile, subscriptions and consent events", async () => {
    const browser = await admin();
    const alice = await web.subscribers.findByEmail('alice@example.org');
    const page = await getPage(web.app, browser, `/editor/subscribers/${alice?.subscriber.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>alice@example.org</h1>');
    expect(page.body).toContain('Alice Martin');
    expect(page.body).toContain('Historique du consentement');
    expect(page.body).toContain('inscription');
    expect(page.body).toContain('AdN');
    expect(page.body).toContain('Aucun envoi.');

    expect((await getPage(web.app, browser, '/editor/subscribers/999999')).statusCode).toBe(404);
    expect((await getPage(web.app, browser, '/editor/subscribers/abc')).statusCode).toBe(404);
  });

  it('imports a CSV file: a dry run that changes nothing, its line-numbered report, then the import', async () => {
    const browser = await admin();
    const before = await snapshot();
    const dryRun = await upload(
      web.app,
      browser,
      { newsletter: 'fil-de-marianne' },
      { name: 'contacts.csv', content: goodCsv },
    );
    expect(dryRun.statusCode).toBe(303);
    const reportUrl = dryRun.headers.location as string;
    expect(reportUrl).toMatch(/^\/editor\/subscribers\/import\/[A-Za-z0-9_-]{24}$/);
    expect(await snapshot()).toEqual(before);

    const report = await getPage(web.app, browser, reportUrl);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Vérification du fichier');
    expect(report.body).toContain('rien n’a encore été enregistré');
    // Alice is known, without a subscription to this newsletter: created too
    expect(report.body).toContain('class="count-created">3<');
    expect(report.body).toContain('class="count-updated">0<');
    expect(report.body).toContain('class="count-invalid">2<');
    expect(report.body).toContain('ligne 3');
    expect(report.body).toContain('ligne 6');
    expect(report.body).not.toContain('ligne 2<');

    // another admin cannot see or confirm it
    const other = await signedInEditor(deps(), 'autre@example.org', 'admin');
    expect((await getPage(web.app, other, reportUrl)).statusCode).toBe(404);
    expect((await postFrom(web.app, other, '/editor', `${reportUrl}/confirm`)).statusCode).toBe(
      404,
    );

    const confirmed = await postFrom(web.app, browser, reportUrl, `${reportUrl}/confirm`);
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(reportUrl);
    const created = await web.subscribers.findByEmail('nouvelle@example.org');
    expect(created?.subscriptions).toEqual([
      expect.objectContaining({ newsletterId: 'fil-de-marianne', status: 'pending' }),
    ]);
    const alice = await web.subscribers.findByEmail('alice@example.org');
    expect(alice?.subscriptions.map((s) => s.newsletterId)).toEqual(['adn', 'fil-de-marianne']);
    const done = await getPage(web.app, browser, reportUrl);
    expect(done.body).toContain('Import terminé');
    expect(done.body).toContain('class="count-created">3<');

    const audit = await deps().audit.list({ action: 'subscribers.import' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: { kind: 'editor', name: 'chef@example.org' },
      objectType: 'newsletter',
      objectId: 'fil-de-marianne',
      details: { file: 'contacts.csv', created: 3, updated: 0, invalid: 2, isConfirmed: false },
    });
    // the file is gone; a second click imports nothing more
    expect(await readdir(uploadDir)).toEqual([expect.stringMatching(/\.json$/)]);
    const again = await postFrom(web.app, browser, reportUrl, `${reportUrl}/confirm`);
    expect(again.statusCode).toBe(303);
    expect(await deps().audit.list({ action: 'subscribers.import' })).toHaveLength(1);
  });

  it('imports as active with "confirmed", and reads a Windows-1252 file', async () => {
    const browser = await admin();
    const latin1 = Buffer.from('email,nom\r\nrenee@example.org,Ren\xe9e\r\n', 'latin1');
    const dryRun = await upload(
      web.app,
      browser,
      { newsletter: 'adn', confirmed: 'on' },
      { name: 'excel.csv', content: latin1 },
    );
    const reportUrl = dryRun.headers.location as string;
    const report = await getPage(web.app, browser, reportUrl);
    expect(report.body).toContain('Fichier lu en WINDOWS-1252');
    expect(report.body).toContain('Les nouveaux abonnements sont actifs.');
    await postFrom(web.app, browser, reportUrl, `${reportUrl}/confirm`);
    const renee = await web.subscribers.findByEmail('renee@example.org');
    expect(renee?.subscriber.name).toBe('Renée');
    expect(renee?.subscriptions[0]?.status).toBe('active');
  });

  it('refuses an upload without newsletter or file, or without an email column', async () => {
    const browser = await admin();
    const before = await snapshot();
    const empty = await upload(web.app, browser, { newsletter: '' }, null);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choisissez la lettre');
    expect(empty.body).toContain('Choisissez un fichier CSV.');
    const unknown = await upload(
      web.app,
      browser,
      { newsletter: 'nope' },
      { name: 'a.csv', content: goodCsv },
    );
    expect(unknown.statusCode).toBe(400);
    const noEmail = await upload(
      web.app,
      browser,
      { newsletter: 'adn' },
      { name: 'noms.csv', content: 'nom;ville\nAlice;Paris\n' },
    );
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.body).toContain('Ce fichier n’a pas pu être lu');
    expect(noEmail.body).toContain('has no email column');
    const huge = await upload(
      web.app,
      browser,
      { newsletter: 'adn' },
      { name: 'huge.csv', content: Buffer.alloc(11 * 1024 * 1024, 'a') },
    );
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('Ce fichier dépasse 10 Mo');
    expect(await snapshot()).toEqual(before);
    expect(await readdir(uploadDir)).toEqual([]);
  });

  it('exports the subscribers as CSV with the columns of the command, audited', async () => {
    const browser = await admin();
    const csv = await getPage(web.app, browser, '/editor/subscribers/export?newsletter=adn');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="subscribers-adn-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe(exportColumns.join(','));
    expect(lines).toHaveLength(3);
    expect(csv.body).toContain('alice@example.org,Alice Martin,fr');
    expect(csv.body).not.toContain('bob@example.org');
    const audit = await deps().audit.list({ action: 'subscribers.export' });
    expect(audit[0]).toMatchObject({
      actor: { kind: 'editor', name: 'chef@example.org' },
      details: { newsletter: 'adn', status: null },
    });
    const bad = await getPage(web.app, browser, '/editor/subscribers/export?status=gone');
    expect(bad.statusCode).toBe(400);
  });

  it('lists, adds and lifts suppressions, each audited, the lift only with a reason', async () => {
    const browser = await admin();
    await web.subscribers.erase('gone@example.org', cli);
    const added = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      '/editor/subscribers/suppressions',
      { email: 'Bob@Example.org', note: 'asked by phone' },
    );
    expect(added.statusCode).toBe(303);
    expect(await web.subscribers.isSuppressed('bob@example.org')).toBe(true);
    const list = await getPage(web.app, browser, '/editor/subscribers/suppressions?done=added');
    expect(list.body).toContain('L’adresse est bloquée.');
    expect(list.body).toContain('>bob@example.org</a>');
    expect(list.body).toContain('blocage manuel');
    expect(list.body).toContain('asked by phone');
    // the erased address has no subscriber row any more: its hash prefix is shown
    expect(list.body).toContain(`${hashEmail('gone@example.org').slice(0, 12)}…`);
    expect(list.body).toContain('données effacées');

    const invalid = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      '/editor/subscribers/suppressions',
      { email: 'not an address' },
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('Saisissez une adresse électronique valide');

    const hash = hashEmail('bob@example.org');
    const noReason = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      `/editor/subscribers/suppressions/${hash}/lift`,
      { note: '  ' },
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Indiquez le motif du déblocage.');
    expect(await web.subscribers.isSuppressed('bob@example.org')).toBe(true);

    const lifted = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      `/editor/subscribers/suppressions/${hash}/lift`,
      { note: 'typed by mistake' },
    );
    expect(lifted.statusCode).toBe(303);
    expect(await web.subscribers.isSuppressed('bob@example.org')).toBe(false);
    const unknown = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      `/editor/subscribers/suppressions/${hash}/lift`,
      { note: 'again' },
    );
    expect(unknown.statusCode).toBe(404);

    const data = await web.subscribers.exportData('bob@example.org');
    expect(data.consentEvents.at(-1)).toMatchObject({
      kind: 'manual',
      details: { liftedSuppression: 'manual', reason: 'typed by mistake' },
    });
    const audit = await deps().audit.list({});
    const actions = audit.filter((e) => e.action.startsWith('suppression.'));
    expect(actions.map((e) => e.action).sort()).toEqual(['suppression.add', 'suppression.lift']);
    for (const entry of actions) {
      expect(entry).toMatchObject({
        actor: { kind: 'editor', name: 'chef@example.org' },
        objectType: 'suppression',
        objectId: hash,
      });
    }
    expect(JSON.stringify(actions)).not.toContain('bob@example.org');
  });

  it.each<Role>(['publisher', 'editor'])('refuses every page and action to a %s', async (role) => {
    const browser = await signedInEditor(deps(), `${role}@example.org`, role);
    await web.subscribers.suppress('carole@lab.example', 'manual', null);
    // an admin's pending upload, which they must not confirm either
    const chef = await admin();
    const dryRun = await upload(
      web.app,
      chef,
      { newsletter: 'adn' },
      { name: 'a.csv', content: goodCsv },
    );
    const uploads = await readdir(uploadDir);
    const before = await snapshot();
    const alice = await web.subscribers.findByEmail('alice@example.org');
    for (const url of [
      '/editor/subscribers',
      `/editor/subscribers/${alice?.subscriber.id}`,
      '/editor/subscribers/import',
      '/editor/subscribers/export',
      '/editor/subscribers/suppressions',
    ]) {
      const page = await getPage(web.app, browser, url);
      expect(page.statusCode, url).toBe(403);
      expect(page.body).toContain('Action non autorisée');
    }
    const add = await postFrom(web.app, browser, '/editor', '/editor/subscribers/suppressions', {
      email: 'bob@example.org',
      note: 'x',
    });
    expect(add.statusCode).toBe(403);
    const lift = await postFrom(
      web.app,
      browser,
      '/editor',
      `/editor/subscribers/suppressions/${hashEmail('carole@lab.example')}/lift`,
      { note: 'x' },
    );
    expect(lift.statusCode).toBe(403);
    const uploaded = await upload(
      web.app,
      browser,
      { newsletter: 'adn' },
      { name: 'a.csv', content: goodCsv },
    );
    expect(uploaded.statusCode).toBe(403);
    expect(await readdir(uploadDir)).toEqual(uploads);

    const confirm = await postFrom(
      web.app,
      browser,
      '/editor',
      `${dryRun.headers.location as string}/confirm`,
    );
    expect(confirm.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect(await web.subscribers.isSuppressed('carole@lab.example')).toBe(true);
  });

  it('refuses every form without its CSRF token, changing nothing', async () => {
    const browser = await admin();
    await web.subscribers.suppress('carole@lab.example', 'manual', null);
    const before = await snapshot();
    const add = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      '/editor/subscribers/suppressions',
      { email: 'bob@example.org' },
      { csrf: false },
    );
    expect(add.statusCode).toBe(403);
    expect(add.body).toContain('Formulaire expiré');
    const lift = await postFrom(
      web.app,
      browser,
      '/editor/subscribers/suppressions',
      `/editor/subscribers/suppressions/${hashEmail('carole@lab.example')}/lift`,
      { note: 'x' },
      { csrf: false },
    );
    expect(lift.statusCode).toBe(403);
    const uploaded = await upload(
      web.app,
      browser,
      { newsletter: 'adn' },
      { name: 'a.csv', content: goodCsv },
      { csrf: false },
    );
    expect(uploaded.statusCode).toBe(403);
    expect(await readdir(uploadDir)).toEqual([]);

    const dryRun = await upload(
      web.app,
      browser,
      { newsletter: 'adn' },
      { name: 'a.csv', content: goodCsv },
    );
    const reportUrl = dryRun.headers.location as string;
    const confirm = await postFrom(
      web.app,
      browser,
      reportUrl,
      `${reportUrl}/confirm`,
      {},
      {
        csrf: false,
      },
    );
    expect(confirm.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});
