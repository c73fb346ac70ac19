import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createCandidateRepository, queryRows } from '../../src/db/index.ts';
import { type Clock, createSilentLogger } from '../../src/lib/index.ts';
import { createSmtpTransport, type MailTransport } from '../../src/mail/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { databaseKinds, openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { type EditorBrowser, getPage, signedInEditor } from '../helpers/editor-session.ts';
import { formFields } from '../helpers/html-form.ts';
import { pointIssueLinksAt, startLinkServer } from '../helpers/link-server.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { buildTestWebApp, testSecret, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const PAGE = '/editor/issues/fil-de-marianne/2026-11';
const LIST = '/editor/issues?newsletter=fil-de-marianne';

/** The element of id `id` up to its end (a field's problems list, its English marker). */
function byId(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start === -1) return '';
  const tag = /^<(\w+)/.exec(html.slice(html.lastIndexOf('<', start)))?.[1] ?? 'p';
  return html
    .slice(start, html.indexOf(`</${tag}>`, start))
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&#x3D;/g, '=')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe.each(databaseKinds)('the composer on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let issuesDir: string;
  let file: string;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };
  let editor: EditorBrowser;
  let publisher: EditorBrowser;
  let links: Awaited<ReturnType<typeof startLinkServer>>;

  beforeEach(async () => {
    now = new Date('2026-11-02T09:00:00Z');
    issuesDir = await mkdtemp(path.join(os.tmpdir(), 'composer-'));
    await cp('issues', issuesDir, { recursive: true });
    // Approval checks every link: the sample issues' links point at a local server instead.
    links = await startLinkServer();
    await pointIssueLinksAt(issuesDir, links.base);
    file = path.join(issuesDir, 'fil-de-marianne', '2026-11.yaml');
    database = await open();
    web = await buildTestWebApp({
      database: database.handle,
      clock,
      editor: { issuesDir, allowPrivateAddresses: ['127.0.0.1'] },
    });
    editor = await signedInEditor(web.editor!, 'redaction@example.org', 'editor');
    publisher = await signedInEditor(web.editor!, 'direction@example.org', 'publisher');
  });
  afterEach(async () => {
    await web.app.close();
    await database.drop();
    await links.close();
    await rm(issuesDir, { recursive: true, force: true });
  });

  /** Posts the composer form of `page` as the browser would, with `changes` and a button's op. */
  async function submit(
    browser: EditorBrowser,
    page: { body: string; csrf: string | undefined },
    op: string,
    changes: Record<string, string> = {},
    url = PAGE,
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const seen = new Set<string>();
    for (const [name, value] of formFields(page.body, 'composer-form')) {
      if (name === '_csrf') continue;
      seen.add(name);
      body.append(name, name in changes ? (changes[name] as string) : value);
    }
    for (const [name, value] of Object.entries(changes))
      if (!seen.has(name)) body.append(name, value);
    body.append('_csrf', page.csrf ?? '');
    body.append('op', op);
    return web.app.inject({
      method: 'POST',
      url,
      cookies: browser.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }

  /** Posts a small form (review buttons, create) with the CSRF token of `from`. */
  async function post(
    browser: EditorBrowser,
    from: string,
    url: string,
    fields: Record<string, string>,
  ) {
    const page = await getPage(web.app, browser, from);
    return web.app.inject({
      method: 'POST',
      url,
      cookies: browser.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, _csrf: page.csrf ?? '' }).toString(),
    });
  }

  it('lists the issues of a newsletter with their state and creates the next month', async () => {
    const list = await getPage(web.app, editor, LIST);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/editor/issues/fil-de-marianne/2026-11"');
    expect(list.body).toContain('Brouillon');
    expect(list.body).toContain('value="2026-12"');

    const created = await post(editor, LIST, '/editor/issues', {
      newsletter: 'fil-de-marianne',
      month: '2026-12',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/editor/issues/fil-de-marianne/2026-12');
    const text = await readFile(path.join(issuesDir, 'fil-de-marianne', '2026-12.yaml'), 'utf8');
    expect(text).toMatch(/number: 22/);

    const again = await post(editor, LIST, '/editor/issues', {
      newsletter: 'fil-de-marianne',
      month: '2026-12',
    });
    expect(again.statusCode).toBe(409);
    const bad = await post(editor, LIST, '/editor/issues', {
      newsletter: 'fil-de-marianne',
      month: '2026-13',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="2026-13"');
  });

  it('shows every field with its English beside it and a marker where the English is missing', async () => {
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        "          title: 'CNRS 2027 researcher competitions: 250 research positions'\n",
        '',
      ),
    );
    const page = await getPage(web.app, editor, PAGE);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-/);
    expect(page.body).toContain('name="subject" value="Le fil de Marianne n° 21');
    expect(page.body).toContain('name="en.subject"');
    expect(byId(page.body, 'f-sections-0-items-0-en-title-missing')).toContain('Anglais manquant');
    expect(page.body).not.toContain('id="f-sections-0-items-1-en-title-missing"');
    // a job shows its institution, location and deadline, not an event's place
    expect(page.body).toContain('name="sections[0].items[0].institution"');
    expect(page.body).not.toContain('name="sections[0].items[0].place"');
  });

  it('adds, moves and removes items and changes a kind without writing the file or losing text', async () => {
    const before = await readFile(file, 'utf8');
    const page = await getPage(web.app, editor, PAGE);
    const added = await submit(editor, page, 'add-item:0', {
      _kind_0: 'event',
      subject: 'Objet pas encore enregistré',
    });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('value="Objet pas encore enregistré"');
    expect(added.body).toContain('name="sections[0].items[4].place"');
    // the empty item's problems are shown before any save, in check's words
    expect(byId(added.body, 'f-sections-0-items-4-title-problems')).toContain('must not be empty');

    const page2 = { body: added.body, csrf: page.csrf };
    const moved = await submit(editor, page2, 'move-item:0:0', { _move_0_0: 'bourses' });
    const movedFields = new Map(formFields(moved.body, 'composer-form'));
    const lastOfBourses = [...movedFields.keys()].filter((name) =>
      /^sections\[2\]\.items\[\d+\]\.title$/.test(name),
    );
    expect(movedFields.get('sections[2].id')).toBe('bourses');
    expect(movedFields.get(lastOfBourses.at(-1)!)).toMatch(/^Concours chercheurs CNRS 2027/);
    expect(movedFields.get('subject')).toBe('Objet pas encore enregistré');

    const kind = await submit(editor, { body: moved.body, csrf: page.csrf }, 'refresh', {
      'sections[0].items[0].kind': 'event',
    });
    expect(kind.body).toContain('name="sections[0].items[0].start"');
    expect(kind.body).not.toContain('id="f-sections-0-items-0-institution"');
    // the job's fields ride along unseen, and come back with the kind
    const back = await submit(editor, { body: kind.body, csrf: page.csrf }, 'refresh', {
      'sections[0].items[0].kind': 'job',
    });
    expect(
      new Map(formFields(back.body, 'composer-form')).get('sections[0].items[0].institution'),
    ).toBe('Inria');

    const removed = await submit(editor, { body: back.body, csrf: page.csrf }, 'remove-section:0');
    expect(new Map(formFields(removed.body, 'composer-form')).get('sections[0].id')).toBe('appels');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses a save with problems next to their fields, keeping what was typed', async () => {
    const before = await readFile(file, 'utf8');
    const page = await getPage(web.app, editor, PAGE);
    const saved = await submit(editor, page, 'save', {
      'sections[0].items[0].url': 'emploi.cnrs.fr',
      'sections[0].items[0].deadline': '2026-10-01',
      preheader: '',
    });
    expect(saved.statusCode).toBe(400);
    expect(saved.body).toContain('Rien n’a été enregistré');
    expect(saved.body).toContain('value="emploi.cnrs.fr"');
    expect(byId(saved.body, 'f-sections-0-items-0-url-problems')).toContain(
      "must be an http:// or https:// URL, got 'emploi.cnrs.fr'",
    );
    expect(byId(saved.body, 'f-sections-0-items-0-deadline-problems')).toContain(
      'deadline 2026-10-01 is already past on the issue date 2026-11-05',
    );
    expect(byId(saved.body, 'f-preheader-problems')).toContain('must not be empty');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('saves onto the file, keeping its comments, and records the save for the review', async () => {
    const page = await getPage(web.app, editor, PAGE);
    // a whole issue is more than the pages' 16 KiB form limit: the composer's routes take more
    const long = `${'Écrit à l’été, déjà édité. '.repeat(300)}`.trim();
    expect(encodeURIComponent(long).length).toBeGreaterThan(16 * 1024);
    expect(long.length).toBeLessThan(10_000);
    const saved = await submit(editor, page, 'save', {
      'en.preheader': 'New English preheader',
      introduction: long,
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${PAGE}?done=saved`);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('New English preheader');
    expect(
      text.startsWith(
        (await readFile('issues/fil-de-marianne/2026-11.yaml', 'utf8')).split('\n')[0]!,
      ),
    ).toBe(true);
    const after = await getPage(web.app, editor, `${PAGE}?done=saved`);
    expect(after.body).toContain('Numéro enregistré.');
    expect(after.body).toContain('Dernière modification · redaction@example.org');
    const audit = await web.editor!.audit.list({ actor: 'redaction@example.org' });
    expect(audit.map((entry) => entry.action)).toContain('issue.save');
  });

  it('shows both versions when the file changed since it was opened, then reloads or overwrites knowingly', async () => {
    const page = await getPage(web.app, editor, PAGE);
    // a second editor, from the command line
    const theirs = (await readFile(file, 'utf8')).replace('number: 21', 'number: 121');
    await writeFile(file, theirs);
    const refused = await submit(editor, page, 'save', { subject: 'Mon objet' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Deux versions du numéro');
    expect(refused.body).toContain('value="Mon objet"');
    expect(refused.body).toContain('number: 121');
    expect(await readFile(file, 'utf8')).toBe(theirs);

    const overwrite = await submit(editor, { body: refused.body, csrf: page.csrf }, 'overwrite');
    expect(overwrite.statusCode).toBe(303);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('Mon objet');
    expect(text).toContain('number: 21');
  });

  it('takes an issue through review: submit, own-change refusal, send back, approval', async () => {
    const page = await getPage(web.app, publisher, PAGE);
    expect((await submit(publisher, page, 'save', { 'en.preheader': 'Changed' })).statusCode).toBe(
      303,
    );

    const submitted = await post(editor, PAGE, `${PAGE}/submit`, {});
    expect(submitted.statusCode).toBe(303);
    expect((await getPage(web.app, editor, PAGE)).body).toContain('data-state="in_review"');

    const forbidden = await post(editor, PAGE, `${PAGE}/approve`, {});
    expect(forbidden.statusCode).toBe(403);

    const own = await post(publisher, PAGE, `${PAGE}/approve`, {});
    expect(own.statusCode).toBe(409);
    expect(own.body).toContain('vous avez fait la dernière modification');

    const empty = await post(publisher, PAGE, `${PAGE}/send-back`, { comment: ' ' });
    expect(empty.statusCode).toBe(400);
    const returned = await post(publisher, PAGE, `${PAGE}/send-back`, {
      comment: 'Raccourcir le chapô',
    });
    expect(returned.statusCode).toBe(303);
    const draft = await getPage(web.app, editor, PAGE);
    expect(draft.body).toContain('data-state="draft"');
    expect(draft.body).toContain('Raccourcir le chapô');
    for (const action of ['issue.save', 'issue.submit', 'issue.send-back']) {
      expect(draft.body).toContain(`<code>${action}</code>`);
    }

    expect((await post(editor, PAGE, `${PAGE}/submit`, {})).statusCode).toBe(303);
    const other = await signedInEditor(web.editor!, 'relecture@example.org', 'publisher');
    const approved = await post(other, PAGE, `${PAGE}/approve`, {});
    expect(approved.statusCode).toBe(303);
    expect((await getPage(web.app, editor, PAGE)).body).toContain('data-state="approved"');
    expect((await getPage(web.app, editor, LIST)).body).toContain('Approuvé');
    expect((await getPage(web.app, editor, '/editor')).body).toContain(
      'data-issue-state="approved"',
    );

    // any change returns it to draft
    const again = await getPage(web.app, editor, PAGE);
    expect((await submit(editor, again, 'save', { 'en.preheader': 'Again' })).statusCode).toBe(303);
    expect((await getPage(web.app, editor, PAGE)).body).toContain('data-state="draft"');
  });

  it('brings picked inbox candidates in with their rewritten title and summary', async () => {
    const url = 'https://www.anr.fr/fr/appel-tremplin-2027';
    await createCandidateRepository(database.handle.db).insertNew([
      {
        newsletterId: 'fil-de-marianne',
        feedUrl: 'https://anr.example.org/rss.xml',
        sourceName: 'ANR',
        guid: null,
        url,
        canonicalUrl: url,
        title: 'Titre du flux',
        titleKey: 'titre du flux',
        summary: 'Résumé du flux',
        sectionId: 'appels',
        publishedAt: new Date('2026-10-30T00:00:00Z'),
        firstSeenAt: new Date('2026-10-31T00:00:00Z'),
        deadline: '2027-02-01',
      },
    ]);
    const [row] = await queryRows<{ id: number | string }>(
      database.handle.db,
      sql`SELECT id FROM feed_candidates WHERE url = ${url}`,
    );
    const id = String(row?.id);
    const inbox = await getPage(web.app, editor, `/editor/inbox/${id}?newsletter=fil-de-marianne`);
    const picked = await web.app.inject({
      method: 'POST',
      url: `/editor/inbox/${id}/pick`,
      cookies: editor.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: inbox.csrf ?? '',
        newsletter: 'fil-de-marianne',
        section: 'appels',
        issue_title: 'Tremplin ANR : le titre réécrit',
        issue_summary: 'Le résumé réécrit pour le numéro.',
      }).toString(),
    });
    expect(picked.statusCode).toBe(303);
    const page = await getPage(web.app, editor, PAGE);
    expect(page.body).toContain('Tremplin ANR : le titre réécrit');
    const added = await submit(editor, page, 'inbox-add', { _inbox: String(id) });
    const fields = formFields(added.body, 'composer-form');
    const title = fields.find(([, value]) => value === 'Tremplin ANR : le titre réécrit');
    expect(title?.[0]).toMatch(/^sections\[1\]\.items\[\d+\]\.title$/);
    expect(fields).toContainEqual([
      title![0].replace('title', 'summary'),
      'Le résumé réécrit pour le numéro.',
    ]);
    expect(fields).toContainEqual([title![0].replace('title', 'deadline'), '2027-02-01']);
  });

  it('refuses writes without the role, the form token, or a known issue', async () => {
    const viewer = await getPage(web.app, editor, PAGE);
    const noToken = await web.app.inject({
      method: 'POST',
      url: PAGE,
      cookies: editor.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'op=save&subject=x',
    });
    expect(noToken.statusCode).toBe(403);
    expect(viewer.statusCode).toBe(200);
    expect((await getPage(web.app, editor, '/editor/issues/unknown/2026-11')).statusCode).toBe(404);
    expect(
      (await getPage(web.app, editor, '/editor/issues/fil-de-marianne/2026-13')).statusCode,
    ).toBe(404);
    expect(
      (await getPage(web.app, editor, '/editor/issues/fil-de-marianne/2031-01')).statusCode,
    ).toBe(404);
    const anonymous = await web.app.inject({ method: 'GET', url: PAGE });
    expect(anonymous.statusCode).toBe(303);
    const garbage = await submit(editor, viewer, 'save', {
      'sections[0].items[0].kind': 'nonsense',
      number: 'x'.repeat(60),
    });
    expect(garbage.statusCode).toBe(400);
  });
});

describe('the composer’s preview and test send', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let sink: SmtpSink;
  let transport: MailTransport;
  let issuesDir: string;
  let editor: EditorBrowser;

  beforeEach(async () => {
    issuesDir = await mkdtemp(path.join(os.tmpdir(), 'composer-preview-'));
    await cp('issues', issuesDir, { recursive: true });
    database = await openTestPglite();
    sink = await startSmtpSink();
    transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
    });
    web = await buildTestWebApp({
      database: database.handle,
      clock: { now: () => new Date('2026-11-02T09:00:00Z') },
      editor: {
        issuesDir,
        preview: {
          templatesDir: 'templates',
          publicUrl: 'https://news.example.org',
          signer: createTokenSigner({ keyId: 't1', secret: testSecret }),
          transport,
        },
      },
    });
    editor = await signedInEditor(web.editor!, 'redaction@example.org', 'editor');
  });
  afterEach(async () => {
    await web.app.close();
    await transport.close?.();
    await sink.close();
    await database.drop();
    await rm(issuesDir, { recursive: true, force: true });
  });

  async function postForm(
    page: { body: string; csrf: string | undefined },
    url: string,
    changes: Record<string, string>,
  ) {
    const body = new URLSearchParams();
    for (const [name, value] of formFields(page.body, 'composer-form')) {
      if (name !== '_csrf') body.append(name, name in changes ? (changes[name] as string) : value);
    }
    body.append('_csrf', page.csrf ?? '');
    return web.app.inject({
      method: 'POST',
      url,
      cookies: editor.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }

  it('previews the form as it stands in each frame, and refuses content check refuses', async () => {
    const page = await getPage(web.app, editor, PAGE);
    const decoded = page.body.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    expect(decoded).toContain(`src="${PAGE}/preview?locale=fr&width=600&part=html"`);
    expect(decoded).toContain(`formaction="${PAGE}/preview-form?locale=en&width=375&part=html"`);
    const html = await postForm(page, `${PAGE}/preview-form?locale=fr&width=600&part=html`, {
      'sections[0].items[0].title': 'Un titre pas encore enregistré',
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(html.body).toContain('Un titre pas encore enregistré');
    const text = await postForm(page, `${PAGE}/preview-form?locale=en&part=text`, {
      'sections[0].items[0].en.title': 'A title not saved yet',
    });
    expect(text.body).toContain('A title not saved yet');
    const invalid = await postForm(page, `${PAGE}/preview-form?locale=fr`, {
      'sections[0].items[0].url': 'nowhere',
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('sections[0].items[0].url');
    const json = await postForm(page, `${PAGE}/issue-json`, { subject: 'Objet du formulaire' });
    expect(json.json().issue.subject).toBe('Objet du formulaire');
    expect((await postForm(page, `${PAGE}/issue-json`, { date: 'hier' })).statusCode).toBe(422);
  });

  it('test-sends the content the page shows, caught at the SMTP sink', async () => {
    const page = await getPage(web.app, editor, PAGE);
    const issue = /name="issue" value="([^"]*)"/.exec(page.body)?.[1];
    expect(issue).toBeDefined();
    const sent = await web.app.inject({
      method: 'POST',
      url: `${PAGE}/test-send`,
      cookies: editor.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: page.csrf ?? '',
        to: 'me',
        locale: 'fr',
        partial: '1',
        issue: JSON.stringify(
          (await postForm(page, `${PAGE}/issue-json`, { subject: 'Objet de test' })).json().issue,
        ),
      }).toString(),
    });
    expect(sent.statusCode).toBe(200);
    const message = sink.messages.find((m) => m.envelope.rcptTo.includes('redaction@example.org'));
    const mail = await simpleParser(message!.raw);
    expect(mail.subject).toContain('Objet de test');
  });
});

describe('the link check at approval', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let issuesDir: string;
  let server: Server;

  beforeEach(async () => {
    // The issue's links all point to a local server: /ok answers 200, anything else 404.
    server = createServer((request, response) => {
      response.writeHead(request.url?.startsWith('/ok') ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    issuesDir = await mkdtemp(path.join(os.tmpdir(), 'composer-links-'));
    await cp('issues', issuesDir, { recursive: true });
    const file = path.join(issuesDir, 'fil-de-marianne', '2026-11.yaml');
    let n = 0;
    const text = (await readFile(file, 'utf8')).replace(/https?:\/\/[^\s'")\]>]+/g, () => {
      n += 1;
      return `http://127.0.0.1:${port}/${n === 1 ? 'broken' : `ok/${n}`}`;
    });
    await writeFile(file, text);
    database = await openTestPglite();
    web = await buildTestWebApp({
      database: database.handle,
      clock: { now: () => new Date('2026-11-02T09:00:00Z') },
      editor: {
        issuesDir,
        allowPrivateAddresses: ['127.0.0.1'],
      },
    });
  });
  afterEach(async () => {
    await web.app.close();
    await database.drop();
    await new Promise((resolve) => server.close(resolve));
    await rm(issuesDir, { recursive: true, force: true });
  });

  it('refuses approval while a link fails, lists the links, and approves once it is marked known', async () => {
    const editor = await signedInEditor(web.editor!, 'redaction@example.org', 'editor');
    const publisher = await signedInEditor(web.editor!, 'direction@example.org', 'publisher');
    const post = async (
      browser: EditorBrowser,
      url: string,
      fields: Record<string, string> = {},
    ) => {
      const page = await getPage(web.app, browser, PAGE);
      return web.app.inject({
        method: 'POST',
        url,
        cookies: browser.cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...fields, _csrf: page.csrf ?? '' }).toString(),
      });
    };
    expect((await post(editor, `${PAGE}/submit`)).statusCode).toBe(303);
    const refused = await post(publisher, `${PAGE}/approve`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('des liens du numéro ne répondent pas');
    expect(refused.body).toMatch(/broken<\/code><\/td><td>en échec/);
    expect(refused.body).toContain('répond');
    expect((await getPage(web.app, publisher, PAGE)).body).toContain('data-state="in_review"');

    const brokenUrl = /value="(http:\/\/127\.0\.0\.1:\d+\/broken)"/.exec(refused.body)?.[1];
    expect(brokenUrl).toBeDefined();
    // Only a link of the issue can be marked; any editor may mark one (issue.write).
    const foreign = await post(editor, `${PAGE}/known-link`, { url: 'https://example.org/x' });
    expect(foreign.statusCode).toBe(400);
    expect((await post(editor, `${PAGE}/known-link`, { url: brokenUrl! })).statusCode).toBe(303);
    const approved = await post(publisher, `${PAGE}/approve`);
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toMatch(/done=approve&links=\d+$/);
    const page = await getPage(web.app, publisher, String(approved.headers.location));
    expect(page.body).toContain('data-state="approved"');
    expect(page.body).toMatch(/\d+ lien\(s\) vérifié\(s\)/);
    const audit = await web.editor!.audit.list({});
    expect(
      audit.map(
        (entry) => `${entry.action} ${entry.actor.kind === 'editor' ? entry.actor.name : ''}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        'issue.link-known redaction@example.org',
        'issue.approve direction@example.org',
      ]),
    );
  });
});
