import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { commandLineActor } from '../../src/editors/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { getPage, postFrom, signedInEditor } from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe.each(databaseKinds)('the workspace frame on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };

  beforeEach(async () => {
    now = new Date('2026-12-03T09:00:00Z');
    database = await open();
    web = await buildTestWebApp({
      database: database.handle,
      clock,
      editor: { idleMinutes: 30, maxHours: 8 },
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

  it('sends a visitor without a session to the sign-in page, and refuses other methods', async () => {
    const home = await web.app.inject({ method: 'GET', url: '/editor' });
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/editor/sign-in');
    const post = await web.app.inject({
      method: 'POST',
      url: '/editor/sign-out',
      payload: {},
    });
    expect(post.statusCode).toBe(401);
    const forged = await web.app.inject({
      method: 'GET',
      url: '/editor',
      cookies: { depeche_editor: 'x'.repeat(43) },
    });
    expect(forged.statusCode).toBe(303);
  });

  it('shows the layout in French with the navigation of the role, in English by choice', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const page = await getPage(web.app, editor, '/editor');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('Boîte de réception');
    expect(page.body).toContain('Journal');
    expect(page.body).not.toContain('Comptes');
    expect(page.body).toContain('aria-current="page"');

    const admin = await signedInEditor(deps(), 'chef@example.org', 'admin');
    await deps().editors.setLocale(admin.editor.id, 'en');
    const english = await getPage(web.app, admin, '/editor');
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Accounts');
    expect(english.body).toContain('Subscribers');
    expect(english.body).toContain('Sign out');
  });

  it('stops the session of a disabled account at once', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    expect((await getPage(web.app, editor, '/editor')).statusCode).toBe(200);
    await deps().accounts.disable(commandLineActor('test'), 'redac@example.org');
    const after = await web.app.inject({ method: 'GET', url: '/editor', cookies: editor.cookies });
    expect(after.statusCode).toBe(303);
    expect(after.cookies.find((c) => c.name === 'depeche_editor')?.value).toBe('');
  });

  it('ends a session after the idle timeout', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    now = new Date(now.getTime() + 29 * 60_000);
    expect((await getPage(web.app, editor, '/editor')).statusCode).toBe(200);
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await getPage(web.app, editor, '/editor')).statusCode).toBe(303);
  });

  it('refuses a form without its CSRF token and signs out with it', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const forged = await postFrom(
      web.app,
      editor,
      '/editor',
      '/editor/sign-out',
      {},
      { csrf: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Formulaire expiré');
    expect((await getPage(web.app, editor, '/editor')).statusCode).toBe(200);

    const out = await postFrom(web.app, editor, '/editor', '/editor/sign-out');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toMatch(/^\/editor\/sign-in/);
    expect((await getPage(web.app, editor, '/editor')).statusCode).toBe(303);
    const actions = (await deps().audit.list({})).map((entry) => entry.action);
    expect(actions).toContain('editor.sign-out');
  });

  it('answers an unknown workspace page with its own 404 page', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const missing = await getPage(web.app, editor, '/editor/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page introuvable');
  });
});
