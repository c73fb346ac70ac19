import { fileURLToPath } from 'node:url';

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { type Issue, loadIssue } from '../../src/content/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger } from '../../src/lib/index.ts';
import { issueContentHash } from '../../src/mail/index.ts';
import {
  createSmtpTransport,
  type MailTransport,
  testSendSubscriberId,
} from '../../src/mail/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { previewContentSecurityPolicy } from '../../src/web/editor/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { buildTestWebApp, testSecret, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const issuesDir = fileURLToPath(new URL('../../issues/', import.meta.url));
const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
const signer = createTokenSigner({ keyId: 't1', secret: testSecret });
const base = '/editor/issues/fil-de-marianne/2026-11';
const lf = (text: string) => text.replace(/\r\n/g, '\n');

/** The preview, test-send and testers pages, through inject(), with the real SMTP sink. */
describe.each(databaseKinds)('preview and test send on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let app: FastifyInstance;
  let sink: SmtpSink;
  let transport: MailTransport;
  let publisher: EditorBrowser;
  let editor: EditorBrowser;
  let saved: Issue;

  beforeAll(async () => {
    database = await open();
    sink = await startSmtpSink({
      rejectRecipients: (rcpt) =>
        rcpt.startsWith('nobody@') ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
    });
    web = await buildTestWebApp({
      database: database.handle,
      editor: {
        issuesDir,
        publicUrl: 'https://news.example.org',
        preview: {
          templatesDir,
          publicUrl: 'https://news.example.org',
          signer,
          transport,
          testSendsPer15Minutes: 10,
        },
      },
    });
    app = web.app;
    publisher = await signedInEditor(web.editor!, 'pub@example.org', 'publisher');
    editor = await signedInEditor(web.editor!, 'ed@example.org', 'editor');
    saved = (await loadIssue(issuesDir, 'fil-de-marianne/2026-11')).issue;
  });
  afterAll(async () => {
    await app?.close();
    await transport?.close?.();
    await sink?.close();
    await database?.drop();
  });
  beforeEach(() => sink.reset());

  const db = () => database.handle.db;
  const auditRows = (action: string) =>
    queryRows<{ actor_name: string; object_id: string; details: Record<string, unknown> }>(
      db(),
      sql`SELECT actor_name, object_id, details FROM audit_log WHERE action = ${action} ORDER BY id`,
    );
  const testerRows = (newsletter: string) =>
    queryRows<{ email: string }>(
      db(),
      sql`SELECT email FROM newsletter_testers WHERE newsletter_id = ${newsletter} ORDER BY email`,
    );
  /** POSTs a form with the CSRF token of the browser's test-send page. */
  const post = (
    browser: EditorBrowser,
    url: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: boolean } = {},
  ) => postFrom(app, browser, `${base}/test-send`, url, fields, options);
  const edited = (introduction: string): Issue => ({ ...saved, introduction });
  const unsubscribeToken = (html: string) =>
    /href="https:\/\/news\.example\.org\/u\/([^"]+)"/.exec(html)?.[1] ?? '';

  describe('preview', () => {
    it('shows the saved file as the email, under a policy allowing its styles and images only', async () => {
      const response = await getPage(app, editor, `${base}/preview`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-security-policy']).toBe(previewContentSecurityPolicy);
      expect(previewContentSecurityPolicy).toContain("script-src 'none'");
      expect(previewContentSecurityPolicy).toContain("default-src 'none'");
      expect(previewContentSecurityPolicy).toContain('sandbox');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toMatch(/^<!doctype html>/i);
      expect(response.body).toContain('<html lang="fr"');
      expect(response.body).not.toContain('%%');
      // The pseudo subscriber's links, really signed, as in a test copy.
      expect(signer.verify(unsubscribeToken(response.body), 'unsubscribe', new Date())).toEqual({
        purpose: 'unsubscribe',
        subscriberId: testSendSubscriberId,
        newsletterId: 'fil-de-marianne',
      });
    });

    it('shows the English copy, a width frame and the text part', async () => {
      const english = await getPage(app, editor, `${base}/preview?locale=en`);
      expect(english.body).toContain('CNRS 2027 researcher competitions');
      const narrow = await getPage(app, editor, `${base}/preview?width=375`);
      expect(narrow.statusCode).toBe(200);
      expect(narrow.body).toMatch(
        /<iframe title="[^"]+375 px" width="375" sandbox="[^"]*" srcdoc="/,
      );
      expect(narrow.body).not.toContain('<script');
      const text = await getPage(app, editor, `${base}/preview?part=text&width=600`);
      expect(text.body).toContain('<pre>');
      expect(text.body).toContain('max-width:600px');
      expect(text.body).toContain('Concours chercheurs CNRS 2027');
      expect(text.headers['content-security-policy']).toBe(previewContentSecurityPolicy);
    });

    it('answers the preview as JSON when asked, its problems in the editor’s language', async () => {
      const response = await app.inject({
        method: 'GET',
        url: `${base}/preview?locale=en`,
        cookies: editor.cookies,
        headers: { accept: 'application/json' },
      });
      expect(response.statusCode).toBe(200);
      const preview = response.json() as Record<string, unknown>;
      expect(preview).toMatchObject({
        issueKey: 'fil-de-marianne/2026-11',
        locale: 'en',
        contentHash: issueContentHash(saved),
      });
      // One item of the sample has no English version: the English copy shows it in French.
      const missing = 'Pas de texte anglais : la version anglaise montre le texte français.';
      expect(preview.problemTexts).toEqual([
        { code: 'english_missing', location: 'sections[2].items[2].en.title', text: missing },
        { code: 'english_missing', location: 'sections[2].items[2].en.summary', text: missing },
      ]);
      expect(preview.bytes).toBe(Buffer.byteLength(String(preview.html)));

      // Without its English preheader too, posted as a JSON body.
      const { en, ...french } = saved;
      const posted = { ...french, en: { ...en, preheader: undefined } };
      const csrf = (await getPage(app, editor, `${base}/test-send`)).csrf ?? '';
      const unsaved = await app.inject({
        method: 'POST',
        url: `${base}/preview`,
        cookies: editor.cookies,
        headers: { accept: 'application/json', 'x-csrf-token': csrf },
        payload: { issue: posted, locale: 'en' },
      });
      expect(unsaved.statusCode).toBe(200);
      const { problemTexts } = unsaved.json() as { problemTexts: Array<{ location: string }> };
      expect(problemTexts.map((problem) => problem.location)).toEqual([
        'en.preheader',
        'sections[2].items[2].en.title',
        'sections[2].items[2].en.summary',
      ]);
    });

    it('previews unsaved content posted as JSON', async () => {
      const issue = edited('Un texte **encore jamais enregistré**.');
      const response = await post(editor, `${base}/preview`, {
        issue: JSON.stringify(issue),
        locale: 'fr',
        part: 'html',
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<strong>encore jamais enregistré</strong>');
      expect(response.headers['content-security-policy']).toBe(previewContentSecurityPolicy);
    });

    it.each([
      ['not JSON', '{"newsletter": ', 'issue'],
      ['an item without a valid URL', 'bad-url', 'issue.sections[0].items[0].url'],
      ['another newsletter', 'other-newsletter', 'issue.newsletter'],
      ['a date of another month', 'other-month', 'issue.date'],
      ['nothing', '', 'issue'],
    ])('refuses %s with 422 naming the field', async (_label, kind, field) => {
      const value = (() => {
        const copy = structuredClone(saved) as Record<string, unknown> & Issue;
        if (kind === 'bad-url') {
          (copy.sections[0]!.items[0] as { url: string }).url = 'ftp://example.org/x';
        } else if (kind === 'other-newsletter') copy.newsletter = 'adn';
        else if (kind === 'other-month') copy.date = '2026-12-03';
        else return kind;
        return JSON.stringify(copy);
      })();
      const response = await post(editor, `${base}/preview`, { issue: value });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain(`<code>${field}</code>`);
      const json = await app.inject({
        method: 'POST',
        url: `${base}/preview`,
        cookies: editor.cookies,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'x-csrf-token': (await getPage(app, editor, `${base}/test-send`)).csrf ?? '',
        },
        payload: JSON.stringify({ issue: value }),
      });
      expect(json.statusCode).toBe(422);
      expect((json.json() as { problems: Array<{ field: string }> }).problems).toContainEqual(
        expect.objectContaining({ field }),
      );
    });

    it('refuses a width it does not offer, and answers 404 for an unknown issue', async () => {
      const width = await getPage(app, editor, `${base}/preview?width=800`);
      expect(width.statusCode).toBe(422);
      expect(width.body).toContain('<code>width</code>');
      expect((await getPage(app, editor, '/editor/issues/nope/2026-11/preview')).statusCode).toBe(
        404,
      );
      expect(
        (await getPage(app, editor, '/editor/issues/fil-de-marianne/2031-01/preview')).statusCode,
      ).toBe(404);
    });

    it('is for signed-in editors only, and a POST needs the form token', async () => {
      const anonymous = await app.inject({ method: 'GET', url: `${base}/preview` });
      expect(anonymous.statusCode).toBe(303);
      const anonymousPost = await app.inject({
        method: 'POST',
        url: `${base}/preview`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `issue=${encodeURIComponent(JSON.stringify(saved))}`,
      });
      expect(anonymousPost.statusCode).toBe(401);
      const noToken = await post(
        editor,
        `${base}/preview`,
        { issue: JSON.stringify(saved) },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      expect((await getPage(app, publisher, `${base}/preview`)).statusCode).toBe(200);
    });
  });

  describe('testers', () => {
    const testersUrl = '/editor/newsletters/adn/testers';
    const postTesters = (browser: EditorBrowser, url: string, fields: Record<string, string>) =>
      postFrom(app, browser, testersUrl, url, fields);

    it('lets a publisher add and remove addresses, each audited', async () => {
      const page = await getPage(app, publisher, testersUrl);
      expect(page.statusCode).toBe(200);
      const added = await postTesters(publisher, testersUrl, { email: ' Tester.One@Example.org ' });
      expect(added.statusCode).toBe(303);
      expect(added.headers.location).toBe(`${testersUrl}?done=added`);
      expect(await testerRows('adn')).toEqual([{ email: 'tester.one@example.org' }]);
      const listed = await getPage(app, publisher, `${testersUrl}?done=added`);
      expect(listed.body).toContain('tester.one@example.org');
      expect(listed.body).toContain('Testeur ajouté.');

      const removed = await postTesters(publisher, `${testersUrl}/remove`, {
        email: 'tester.one@example.org',
      });
      expect(removed.statusCode).toBe(303);
      expect(await testerRows('adn')).toEqual([]);
      const entries = [
        ...(await auditRows('newsletter.tester.add')),
        ...(await auditRows('newsletter.tester.remove')),
      ].filter((entry) => entry.object_id === 'adn');
      expect(entries).toEqual([
        {
          actor_name: 'pub@example.org',
          object_id: 'adn',
          details: { email: 'tester.one@example.org' },
        },
        {
          actor_name: 'pub@example.org',
          object_id: 'adn',
          details: { email: 'tester.one@example.org' },
        },
      ]);
    });

    it.each([['not-an-address'], ['a@b'], [''], [`${'x'.repeat(250)}@example.org`]])(
      'refuses the address %j and changes nothing',
      async (email) => {
        const before = (await auditRows('newsletter.tester.add')).length;
        const response = await postTesters(publisher, testersUrl, { email });
        expect(response.statusCode).toBe(400);
        expect(response.body).toContain('Adresse invalide');
        expect(response.body).toContain('aria-invalid="true"');
        expect(await testerRows('adn')).toEqual([]);
        expect((await auditRows('newsletter.tester.add')).length).toBe(before);
      },
    );

    it('refuses an address already there, and removing one that is not', async () => {
      await postTesters(publisher, testersUrl, { email: 'twice@example.org' });
      const again = await postTesters(publisher, testersUrl, { email: 'TWICE@example.org' });
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain('twice@example.org est déjà testeur');
      const missing = await postTesters(publisher, `${testersUrl}/remove`, {
        email: 'never@example.org',
      });
      expect(missing.statusCode).toBe(400);
      await postTesters(publisher, `${testersUrl}/remove`, { email: 'twice@example.org' });
      expect(await testerRows('adn')).toEqual([]);
    });

    it('is closed to the editor role, the database unchanged', async () => {
      expect((await getPage(app, editor, testersUrl)).statusCode).toBe(403);
      const response = await postFrom(app, editor, `${base}/test-send`, testersUrl, {
        email: 'sneaky@example.org',
      });
      expect(response.statusCode).toBe(403);
      expect(await testerRows('adn')).toEqual([]);
      expect((await getPage(app, publisher, '/editor/newsletters/nope/testers')).statusCode).toBe(
        404,
      );
    });
  });

  describe('test send', () => {
    it('sends the posted content to the editor and the testers in both languages, as previewed', async () => {
      const testersUrl = '/editor/newsletters/fil-de-marianne/testers';
      for (const email of ['tester@example.org', 'nobody@example.org']) {
        await postFrom(app, publisher, testersUrl, testersUrl, { email });
      }
      const issue = edited('Une introduction **pas encore enregistrée**.');
      const form = { issue: JSON.stringify(issue), to: ['me', 'testers'], locale: ['fr', 'en'] };
      const response = await post(publisher, `${base}/test-send`, form);
      expect(response.statusCode).toBe(200);
      // The page says who got it and who did not, in the editor's language.
      expect(response.body).toContain('Certaines copies ont été refusées');
      expect(response.body).toMatch(/<ul class="accepted"><li>pub@example\.org/);
      expect(response.body).toMatch(/<ul class="failed"><li>nobody@example\.org : 550/);

      const envelopes = sink.messages.map((message) => message.envelope.rcptTo[0]).sort();
      expect(envelopes).toEqual([
        'pub@example.org',
        'pub@example.org',
        'tester@example.org',
        'tester@example.org',
      ]);
      const mails = await Promise.all(sink.messages.map((message) => simpleParser(message.raw)));
      const toMe = mails.filter((mail) => mail.to && JSON.stringify(mail.to).includes('pub@'));
      const french = toMe.find((mail) => mail.headers.get('content-language') === 'fr');
      const english = toMe.find((mail) => mail.headers.get('content-language') === 'en');
      expect(french?.subject).toMatch(/^\[TEST\] Le fil de Marianne n° 21/);
      expect(english?.subject).toMatch(/^\[TEST\] Le fil de Marianne #21/);

      // The HTML body is the preview's HTML of the same content.
      for (const [mail, locale] of [
        [french, 'fr'],
        [english, 'en'],
      ] as const) {
        const preview = await post(publisher, `${base}/preview`, {
          issue: JSON.stringify(issue),
          locale,
        });
        expect(preview.statusCode).toBe(200);
        expect(lf(String(mail?.html))).toBe(preview.body);
      }
      expect(String(french?.html)).toContain('<strong>pas encore enregistrée</strong>');

      const entries = (await auditRows('issue.test-send')).filter(
        (entry) => entry.details.source === 'form',
      );
      expect(entries).toEqual([
        {
          actor_name: 'pub@example.org',
          object_id: 'fil-de-marianne/2026-11',
          details: {
            locale: 'fr',
            to: ['pub@example.org', 'nobody@example.org', 'tester@example.org'],
            refused: 1,
            contentHash: issueContentHash(issue),
            source: 'form',
          },
        },
        expect.objectContaining({
          details: expect.objectContaining({ locale: 'en', refused: 1 }),
        }),
      ]);
    });

    it('sends the saved file to the editor alone, with the partial result', async () => {
      const form = await getPage(app, editor, `${base}/test-send`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Moi (ed@example.org)');
      // An editor cannot manage the testers: no link to that page.
      expect(form.body).not.toContain('/testers"');
      const response = await post(editor, `${base}/test-send`, {
        to: 'me',
        locale: 'en',
        partial: '1',
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/^<section class="test-send-result"/);
      expect(response.body).toContain('Le serveur d’envoi a accepté toutes les copies');
      expect(sink.messages.map((message) => message.envelope.rcptTo)).toEqual([['ed@example.org']]);
      const mail = await simpleParser(sink.messages[0]!.raw);
      expect(signer.verify(unsubscribeToken(String(mail.html)), 'unsubscribe', new Date())).toEqual(
        {
          purpose: 'unsubscribe',
          subscriberId: testSendSubscriberId,
          newsletterId: 'fil-de-marianne',
        },
      );
      const [entry] = (await auditRows('issue.test-send')).filter(
        (row) => row.details.source === 'file',
      );
      expect(entry).toEqual({
        actor_name: 'ed@example.org',
        object_id: 'fil-de-marianne/2026-11',
        details: {
          locale: 'en',
          to: ['ed@example.org'],
          refused: 0,
          contentHash: issueContentHash(saved),
          source: 'file',
        },
      });
    });

    it.each([
      [{ locale: 'fr' }, 'Choisissez au moins un destinataire.'],
      [{ to: 'me' }, 'Choisissez au moins une langue.'],
      [{ to: 'someone-else', locale: 'fr' }, 'Choisissez au moins un destinataire.'],
      [{ to: 'testers', locale: 'fr' }, 'Cette lettre n’a pas encore de testeurs'],
    ])('refuses %j and sends nothing', async (fields, message) => {
      const before = (await auditRows('issue.test-send')).length;
      const url = '/editor/issues/adn/2026-11/test-send';
      const response = await postFrom(app, editor, url, url, fields);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(message);
      expect(sink.messages).toEqual([]);
      expect((await auditRows('issue.test-send')).length).toBe(before);
    });

    it('refuses invalid posted content with 422 and sends nothing', async () => {
      const response = await post(editor, `${base}/test-send`, {
        issue: JSON.stringify({ ...saved, sections: [] }),
        to: 'me',
        locale: 'fr',
      });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('<code>issue.sections</code>');
      expect(sink.messages).toEqual([]);
    });

    // Last of this file: it spends the editor's allowance of test sends.
    it('stops an editor asking for test sends too often, with 429', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) {
        statuses.push((await post(editor, `${base}/test-send`, { to: 'me' })).statusCode);
      }
      expect(statuses).toContain(429);
      const first = statuses.indexOf(429);
      expect(statuses.slice(first).every((status) => status === 429)).toBe(true);
      const limited = await post(editor, `${base}/test-send`, { to: 'me', locale: 'fr' });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(sink.messages).toEqual([]);
      // Another editor's allowance is their own.
      const other = await post(publisher, `${base}/test-send`, { to: 'me' });
      expect(other.statusCode).toBe(400);
    });
  });
});
