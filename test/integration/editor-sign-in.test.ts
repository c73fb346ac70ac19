import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createEditorRepository } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { type Clock, createSilentLogger } from '../../src/lib/index.ts';
import {
  createSignInSender,
  createSmtpTransport,
  type MailTransport,
} from '../../src/mail/index.ts';
import { SignInJobSchema } from '../../src/queue/index.ts';
import { createRenderer } from '../../src/render/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { getPage, postFrom } from '../helpers/editor-session.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const operator = commandLineActor('test');

describe.each(databaseKinds)('signing in to the workspace on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let now: Date;
  let sink: SmtpSink;
  let transport: MailTransport;
  const clock: Clock = { now: () => new Date(now) };

  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await transport.close?.();
    await sink.close();
  });

  beforeEach(async () => {
    now = new Date('2026-12-03T09:00:00Z');
    sink.reset();
    database = await open();
    web = await buildTestWebApp({
      database: database.handle,
      clock,
      editor: { rateLimits: { perAddress: 3, perIp: 6 } },
    });
  });
  afterEach(async () => {
    await web?.app.close();
    await database?.drop();
  });

  const deps = () => {
    if (!web.editor) throw new Error('workspace not built');
    return web.editor;
  };

  /** Asks a link on the public form, as a browser would. */
  async function askLink(email: string, cookies: Record<string, string> = {}) {
    return postFrom(web.app, { cookies }, '/editor/sign-in', '/editor/sign-in', { email });
  }

  /** Sends the recorded sign-in jobs through the real sender to the sink. */
  async function deliverJobs(): Promise<string[]> {
    const sender = createSignInSender({
      editors: createEditorRepository(database.handle.db),
      renderer: createRenderer({ templatesDir: 'templates' }),
      transport,
      sender: { name: 'AdN', email: 'adn@example.org' },
      publicUrl: 'http://localhost:3000',
      clock,
      logger: createSilentLogger(),
    });
    const links: string[] = [];
    for (const job of web.enqueued.splice(0).filter((j) => j.name === 'sign-in')) {
      await sender.send(SignInJobSchema.parse(job.data));
    }
    for (const message of sink.messages) {
      const mail = await simpleParser(message.raw);
      const link = /http:\/\/localhost:3000(\/editor\/sign-in\/[A-Za-z0-9_-]+)/.exec(
        mail.text ?? '',
      );
      if (link?.[1]) links.push(link[1]);
    }
    sink.reset();
    return links;
  }

  it('signs in from the link of the mail: a button first, the session on its POST', async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin', name: 'Chef' });
    const asked = await askLink('Chef@Example.org');
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Vérifiez votre messagerie');
    expect(web.printed.join('\n')).toMatch(/chef@example\.org.*\/editor\/sign-in\//);

    const [link] = await deliverJobs();
    expect(link).toBeDefined();
    const path = link as string;

    // The GET (what a mail scanner does) signs nobody in.
    const browser = { cookies: {} as Record<string, string> };
    const page = await getPage(web.app, browser, path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Me connecter');
    expect(page.cookies.find((c) => c.name === 'depeche_editor')).toBeUndefined();
    expect((await deps().audit.list({ action: 'editor.sign-in' })).length).toBe(0);

    const signedIn = await postFrom(web.app, browser, path, path);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/editor');
    const cookie = signedIn.cookies.find((c) => c.name === 'depeche_editor');
    expect(cookie).toMatchObject({ path: '/editor', httpOnly: true, sameSite: 'Lax' });
    expect(cookie?.secure).toBeFalsy();
    browser.cookies.depeche_editor = cookie?.value ?? '';
    const home = await getPage(web.app, browser, '/editor');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Chef');
    const audit = await deps().audit.list({ action: 'editor.sign-in' });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatchObject({ kind: 'editor', name: 'chef@example.org' });

    // Used once: the same link again signs nobody in.
    const again = await postFrom(web.app, { cookies: {} }, path, path);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('Personne n’a été connecté');
    expect(again.cookies.find((c) => c.name === 'depeche_editor')).toBeUndefined();
  });

  it('gives an unknown address the same answer and no mail', async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin' });
    const known = await askLink('chef@example.org');
    const unknown = await askLink('nobody@example.org');
    expect(unknown.statusCode).toBe(known.statusCode);
    const strip = (body: string) => body.replace(/value="[^"]+"/g, '');
    expect(strip(unknown.body)).toBe(strip(known.body));
    expect(web.enqueued.filter((job) => job.name === 'sign-in')).toHaveLength(1);
    expect(web.printed).toHaveLength(1);
    const invalid = await askLink('not-an-address');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('nom@example.org');
  });

  it('signs nobody in with an expired link, a disabled account or a made-up token', async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin' });
    await deps().accounts.add(operator, { email: 'redac@example.org', role: 'editor' });
    await askLink('chef@example.org');
    const [expired] = await deliverJobs();
    now = new Date(now.getTime() + 16 * 60_000);
    const late = await postFrom(web.app, { cookies: {} }, expired as string, expired as string);
    expect(late.statusCode).toBe(400);

    await askLink('redac@example.org');
    const [disabledLink] = await deliverJobs();
    await deps().accounts.disable(operator, 'redac@example.org');
    const disabled = await postFrom(
      web.app,
      { cookies: {} },
      disabledLink as string,
      disabledLink as string,
    );
    expect(disabled.statusCode).toBe(400);

    const madeUp = `/editor/sign-in/${'A'.repeat(43)}`;
    const forged = await postFrom(web.app, { cookies: {} }, madeUp, madeUp);
    expect(forged.statusCode).toBe(400);
    expect(await deps().audit.list({ action: 'editor.sign-in' })).toHaveLength(0);
  });

  it("signs in the link's own account only, ending the browser's other session", async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin', name: 'Chef' });
    await deps().accounts.add(operator, {
      email: 'redac@example.org',
      role: 'editor',
      name: 'Rédac',
    });
    await askLink('redac@example.org');
    const [redacLink] = await deliverJobs();
    const issued = await deps().sessions.requestSignIn('chef@example.org');
    const chefPath = `/editor/sign-in/${issued?.token ?? ''}`;
    const chef = { cookies: {} as Record<string, string> };
    const first = await postFrom(web.app, chef, chefPath, chefPath);
    const chefCookie = first.cookies.find((c) => c.name === 'depeche_editor')?.value ?? '';
    chef.cookies.depeche_editor = chefCookie;

    // The editor's link opened in the admin's browser signs in the editor, not the admin.
    const second = await postFrom(web.app, chef, redacLink as string, redacLink as string);
    expect(second.statusCode).toBe(303);
    const redacCookie = second.cookies.find((c) => c.name === 'depeche_editor')?.value ?? '';
    const asRedac = await getPage(web.app, { cookies: { depeche_editor: redacCookie } }, '/editor');
    expect(asRedac.body).toContain('Rédac');
    expect(asRedac.body).not.toContain('href="/editor/accounts"');
    const oldChef = await web.app.inject({
      method: 'GET',
      url: '/editor',
      cookies: { depeche_editor: chefCookie },
    });
    expect(oldChef.statusCode).toBe(303);
  });

  it('refuses a sign-in link posted without its CSRF token', async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin' });
    await askLink('chef@example.org');
    const [link] = await deliverJobs();
    const refused = await postFrom(
      web.app,
      { cookies: {} },
      link as string,
      link as string,
      {},
      {
        csrf: false,
      },
    );
    expect(refused.statusCode).toBe(403);
    // The token is still unused: the proper POST works.
    const signedIn = await postFrom(web.app, { cookies: {} }, link as string, link as string);
    expect(signedIn.statusCode).toBe(303);
  });

  it('limits sign-in requests per address and per IP with 429', async () => {
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin' });
    for (let i = 0; i < 3; i += 1) expect((await askLink('chef@example.org')).statusCode).toBe(200);
    const limited = await askLink('CHEF@example.org');
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Trop de demandes');
    expect(web.enqueued.filter((job) => job.name === 'sign-in')).toHaveLength(3);
    // Other addresses from the same IP: up to 6 in all, then 429 too.
    expect((await askLink('a@example.org')).statusCode).toBe(200);
    expect((await askLink('b@example.org')).statusCode).toBe(200);
    expect((await askLink('c@example.org')).statusCode).toBe(429);
  });

  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    await web?.app.close();
    web = await buildTestWebApp({
      database: database.handle,
      clock,
      editor: { publicUrl: 'https://lettres.example.org' },
    });
    await deps().accounts.add(operator, { email: 'chef@example.org', role: 'admin' });
    const issued = await deps().sessions.requestSignIn('chef@example.org');
    const path = `/editor/sign-in/${issued?.token ?? ''}`;
    const signedIn = await postFrom(web.app, { cookies: {} }, path, path);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.cookies.find((c) => c.name === 'depeche_editor')?.secure).toBe(true);
  });
});
