import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { queryRows } from '../../src/db/client.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe.each(databaseKinds)('the workspace pages on $name', ({ open }) => {
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
      editor: { issuesDir: 'test/fixtures/issues' },
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

  /** Every row of the accounts and audit tables, to prove a refused request changed nothing. */
  async function snapshot() {
    const db = database.handle.db;
    return {
      editors: await queryRows(db, sql`SELECT * FROM editors ORDER BY id`),
      audit: await queryRows(db, sql`SELECT * FROM audit_log ORDER BY id`),
      sessions: await queryRows(db, sql`SELECT * FROM editor_sessions ORDER BY id_hash`),
      tokens: await queryRows(db, sql`SELECT * FROM editor_sign_in_tokens ORDER BY token_hash`),
    };
  }

  it('shows per newsletter the issue, new candidates, last campaigns and failing feeds', async () => {
    const db = database.handle.db;
    await db.execute(sql`INSERT INTO campaigns (newsletter_id, issue_key, status, content_hash,
        recipient_count, sent_count, failed_count, created_at, started_at, finished_at)
      VALUES ('adn', 'adn/2026-10', 'done', 'h1', 200, 198, 2, '2026-11-01T08:00:00Z',
              '2026-11-01T09:00:00Z', '2026-11-01T09:10:00Z')`);
    await db.execute(sql`INSERT INTO feed_candidates (newsletter_id, feed_url, source_name, url,
        canonical_url, title, title_key, first_seen_at, status) VALUES
      ('adn', 'https://feeds.example.org/a', 'NSF', 'https://e.org/1', 'https://e.org/1', 'Un', 'un', '2026-10-20T00:00:00Z', 'new'),
      ('adn', 'https://feeds.example.org/a', 'NSF', 'https://e.org/2', 'https://e.org/2', 'Deux', 'deux', '2026-11-20T00:00:00Z', 'new'),
      ('adn', 'https://feeds.example.org/a', 'NSF', 'https://e.org/3', 'https://e.org/3', 'Trois', 'trois', '2026-11-21T00:00:00Z', 'new'),
      ('adn', 'https://feeds.example.org/a', 'NSF', 'https://e.org/4', 'https://e.org/4', 'Quatre', 'quatre', '2026-11-22T00:00:00Z', 'dismissed')`);
    await db.execute(sql`INSERT INTO feed_health (newsletter_id, feed_url, name, last_polled_at,
        last_error_at, last_error, consecutive_failures)
      VALUES ('adn', 'https://feeds.example.org/b', 'NOAA', '2026-12-03T08:00:00Z',
              '2026-12-03T08:00:00Z', 'HTTP 503', 3)`);
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const home = await getPage(web.app, editor, '/editor');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('AdN');
    expect(home.body).toContain('2 à trier');
    expect(home.body).toContain('#1 · adn/2026-10');
    expect(home.body).toContain('198 sur 200');
    expect(home.body).toContain('2 en échec');
    expect(home.body).toContain('NOAA');
    expect(home.body).toContain('HTTP 503');
    expect(home.body).toMatch(/Le fil de Marianne[\s\S]*Aucune campagne/);
  });

  it('lets an admin invite, change a role and disable, audited, ending sessions', async () => {
    const admin = await signedInEditor(deps(), 'chef@example.org', 'admin');
    const publisher = await signedInEditor(deps(), 'pub@example.org', 'publisher');
    expect((await getPage(web.app, publisher, '/editor')).statusCode).toBe(200);

    const list = await getPage(web.app, admin, '/editor/accounts');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('pub@example.org');

    const invited = await postFrom(web.app, admin, '/editor/accounts', '/editor/accounts', {
      email: 'New@Example.org',
      name: 'Nouvelle',
      role: 'editor',
    });
    expect(invited.statusCode).toBe(303);
    expect(invited.headers.location).toBe('/editor/accounts?done=invited');
    const job = web.enqueued.find((entry) => entry.name === 'sign-in');
    expect(job?.data).toMatchObject({ kind: 'sign-in', locale: 'fr' });
    expect(web.printed.join('\n')).toContain('new@example.org');
    const again = await postFrom(web.app, admin, '/editor/accounts', '/editor/accounts', {
      email: 'new@example.org',
      role: 'editor',
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Un compte a déjà cette adresse');
    const bad = await postFrom(web.app, admin, '/editor/accounts', '/editor/accounts', {
      email: 'new2@example.org',
      role: 'boss',
    });
    expect(bad.statusCode).toBe(400);

    const pubId = publisher.editor.id;
    const role = await postFrom(
      web.app,
      admin,
      '/editor/accounts',
      `/editor/accounts/${pubId}/role`,
      {
        role: 'editor',
      },
    );
    expect(role.statusCode).toBe(303);
    // The role change ended the publisher's session at once.
    expect((await getPage(web.app, publisher, '/editor')).statusCode).toBe(303);
    const self = await postFrom(
      web.app,
      admin,
      '/editor/accounts',
      `/editor/accounts/${admin.editor.id}/role`,
      { role: 'editor' },
    );
    expect(self.statusCode).toBe(400);

    const newcomer = await deps().accounts.find('new@example.org');
    const disabled = await postFrom(
      web.app,
      admin,
      '/editor/accounts',
      `/editor/accounts/${newcomer?.id ?? 0}/disable`,
    );
    expect(disabled.statusCode).toBe(303);
    expect((await deps().accounts.find('new@example.org'))?.disabledAt).not.toBeNull();

    const entries = await deps().audit.list({ actor: 'chef@example.org' });
    expect(entries.map((entry) => entry.action).sort()).toEqual([
      'editor.add',
      'editor.disable',
      'editor.role',
      'editor.sign-in',
    ]);
    expect(entries.find((e) => e.action === 'editor.role')?.details).toMatchObject({
      from: 'publisher',
      to: 'editor',
      sessionsEnded: 1,
    });
  });

  it('answers 403 to roles that may not manage accounts and changes nothing', async () => {
    const admin = await signedInEditor(deps(), 'chef@example.org', 'admin');
    const browsers: EditorBrowser[] = [
      await signedInEditor(deps(), 'redac@example.org', 'editor'),
      await signedInEditor(deps(), 'pub@example.org', 'publisher'),
    ];
    for (const browser of browsers) {
      // Its CSRF token comes from a page it may see.
      const page = await getPage(web.app, browser, '/editor/accounts');
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('Action non autorisée');
      expect(page.body).not.toContain('chef@example.org');
      const before = await snapshot();
      const attempts = [
        postFrom(web.app, browser, '/editor', '/editor/accounts', {
          email: 'intrus@example.org',
          role: 'admin',
        }),
        postFrom(web.app, browser, '/editor', `/editor/accounts/${admin.editor.id}/role`, {
          role: 'editor',
        }),
        postFrom(web.app, browser, '/editor', `/editor/accounts/${admin.editor.id}/disable`),
        postFrom(web.app, browser, '/editor', `/editor/accounts/${browser.editor.id}/role`, {
          role: 'admin',
        }),
      ];
      for (const attempt of await Promise.all(attempts)) expect(attempt.statusCode).toBe(403);
      const after = await snapshot();
      expect(after.editors).toEqual(before.editors);
      expect(after.audit).toEqual(before.audit);
      expect(after.tokens).toEqual(before.tokens);
      expect(web.enqueued).toHaveLength(0);
    }
    // Their navigation has no Accounts or Subscribers entry.
    const page = await getPage(web.app, browsers[1] as EditorBrowser, '/editor');
    expect(page.body).not.toContain('href="/editor/accounts"');
  });

  it('filters and pages the audit log', async () => {
    const operator = commandLineActor('ops');
    for (let i = 0; i < 60; i += 1) {
      now = new Date(Date.UTC(2026, 10, 1, 0, i));
      await deps().audit.append(
        { actor: operator, action: 'test.step', objectType: 'thing', objectId: String(i) },
        now,
      );
    }
    now = new Date('2026-12-03T09:00:00Z');
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const first = await getPage(web.app, editor, '/editor/audit?action=test.step');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('ligne de commande (ops)');
    expect(first.body).toContain('thing 59');
    expect(first.body).not.toContain('thing 9<');
    expect(first.body).toContain('rel="next"');
    const second = await getPage(web.app, editor, '/editor/audit?action=test.step&page=2');
    expect(second.body).toContain('thing 9<');
    expect(second.body).not.toContain('rel="next"');
    const byActor = await getPage(web.app, editor, '/editor/audit?actor=redac%40example.org');
    expect(byActor.body).toContain('editor.sign-in');
    expect(byActor.body).not.toContain('test.step');
    const since = await getPage(web.app, editor, '/editor/audit?since=2026-12-01');
    expect(since.body).not.toContain('test.step');
    const invalid = await getPage(web.app, editor, '/editor/audit?since=yesterday');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('2026-12-01');
  });

  it('stores the language an editor chooses and shows the workspace in it', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const saved = await postFrom(web.app, editor, '/editor/account', '/editor/account/locale', {
      locale: 'en',
    });
    expect(saved.statusCode).toBe(303);
    const page = await getPage(web.app, editor, '/editor/account?done=locale');
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Language saved.');
    expect((await deps().accounts.find('redac@example.org'))?.locale).toBe('en');
    const bad = await postFrom(web.app, editor, '/editor/account', '/editor/account/locale', {
      locale: 'de',
    });
    expect(bad.statusCode).toBe(400);
    expect((await deps().audit.list({ action: 'editor.locale' })).length).toBe(1);
  });
});
