import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createCandidateRepository, queryRows } from '../../src/db/index.ts';
import type { NewCandidate } from '../../src/feeds/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const INBOX = '/editor/inbox?newsletter=fil-de-marianne';

function candidate(index: number, overrides: Partial<NewCandidate> = {}): NewCandidate {
  const url = `https://cnrs.example.org/offre/${index}`;
  const title = overrides.title ?? `Offre de recherche numéro ${index}`;
  return {
    newsletterId: 'fil-de-marianne',
    feedUrl: 'https://cnrs.example.org/rss.xml',
    sourceName: 'CNRS',
    guid: null,
    url,
    canonicalUrl: url,
    title,
    titleKey: title.toLowerCase(),
    summary: `Résumé ${index}`,
    sectionId: 'postes',
    publishedAt: new Date(Date.UTC(2026, 10, 1, 0, index)),
    firstSeenAt: new Date('2026-11-20T09:00:00Z'),
    deadline: null,
    ...overrides,
  };
}

describe.each(databaseKinds)('the inbox pages on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };

  beforeEach(async () => {
    now = new Date('2026-12-03T09:00:00Z');
    database = await open();
    web = await buildTestWebApp({ database: database.handle, clock, editor: {} });
    await createCandidateRepository(database.handle.db).insertNew([
      candidate(1, { title: 'Postdoc à l’École normale supérieure', deadline: '2027-01-10' }),
      candidate(2, { title: 'Chaire de professeur junior', sectionId: 'appels' }),
      ...Array.from({ length: 55 }, (_, index) => candidate(10 + index)),
      candidate(99, { newsletterId: 'adn', title: 'NSF École budget', sectionId: 'agences' }),
    ]);
  });
  afterEach(async () => {
    await web.app.close();
    await database.drop();
  });

  const deps = () => {
    if (!web.editor) throw new Error('workspace not built');
    return web.editor;
  };
  const idOf = async (title: string) => {
    const [row] = await queryRows<{ id: number | string }>(
      database.handle.db,
      sql`SELECT id FROM feed_candidates WHERE title = ${title}`,
    );
    return String(row?.id);
  };
  const statusOf = async (id: string) => {
    const [row] = await queryRows<{ status: string; section_id: string }>(
      database.handle.db,
      sql`SELECT status, section_id FROM feed_candidates WHERE id = ${Number(id)}`,
    );
    return row;
  };
  /** The candidates, notes and audit rows: a refused request leaves them as they were. */
  const snapshot = async () => ({
    candidates: await queryRows(database.handle.db, sql`SELECT * FROM feed_candidates ORDER BY id`),
    notes: await queryRows(database.handle.db, sql`SELECT * FROM candidate_notes ORDER BY id`),
    audit: await queryRows(
      database.handle.db,
      sql`SELECT * FROM audit_log WHERE action LIKE 'candidate.%' ORDER BY id`,
    ),
  });

  it('shows a table of the new candidates with filters, a link to each page and pages', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const page = await getPage(web.app, editor, INBOX);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('Boîte de réception');
    expect(page.body).toContain('57 candidat(s)');
    expect(page.body).toContain('Page 1 sur 2');
    expect(page.body).toContain('href="https://cnrs.example.org/offre/64"');
    expect(page.body).toContain('name="_csrf"');
    expect(page.body).toMatch(/<input type="checkbox" name="ids" value="\d+"/);
    expect(page.body).toContain('rel="next"');

    const second = await getPage(web.app, editor, `${INBOX}&page=2`);
    expect(second.body).toContain('Page 2 sur 2');
    expect(second.body).toContain('Postdoc à l’École normale supérieure');

    const searched = await getPage(web.app, editor, `${INBOX}&q=ecole`);
    expect(searched.body).toContain('1 candidat(s)');
    expect(searched.body).toContain('Postdoc à l’École normale supérieure');
    expect(searched.body).not.toContain('NSF École budget');

    const filtered = await getPage(
      web.app,
      editor,
      `${INBOX}&section=appels&state=all&since=any&sort=deadline&deadline_before=&feed=`,
    );
    expect(filtered.body).toContain('Chaire de professeur junior');
    expect(filtered.body).toContain('1 candidat(s)');
    expect(filtered.body).toMatch(/<option value="appels" selected>/);
  });

  it('answers a bad filter with 400 and the problem, in the editor’s language', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const bad = await getPage(web.app, editor, `${INBOX}&deadline_before=demain&state=old`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Filtre ou formulaire invalide');
    expect(bad.body).toContain('deadlineBefore');
    const unknown = await getPage(web.app, editor, '/editor/inbox?newsletter=inconnue');
    expect(unknown.statusCode).toBe(404);
    await deps().editors.setLocale(editor.editor.id, 'en');
    const english = await getPage(web.app, editor, INBOX);
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('57 candidate(s)');
  });

  it('picks, dismisses and moves the ticked candidates at once, audited', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const postdoc = await idOf('Postdoc à l’École normale supérieure');
    const chaire = await idOf('Chaire de professeur junior');
    const other = await idOf('Offre de recherche numéro 10');
    const back = 'newsletter=fil-de-marianne&q=&sort=date';

    const picked = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: [postdoc, chaire],
      action: 'pick',
      back,
    });
    expect(picked.statusCode).toBe(303);
    expect(picked.headers.location).toBe(
      '/editor/inbox?newsletter=fil-de-marianne&q=&sort=date&done=picked&count=2',
    );
    expect(await statusOf(postdoc)).toMatchObject({ status: 'picked' });
    const after = await getPage(web.app, editor, String(picked.headers.location));
    expect(after.body).toContain('2 candidat(s) retenu(s).');
    expect(after.body).toContain('55 candidat(s)');

    const moved = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: [other],
      action: 'move',
      section: 'bourses',
    });
    expect(moved.statusCode).toBe(303);
    expect(await statusOf(other)).toMatchObject({ status: 'new', section_id: 'bourses' });
    const dismissed = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: other,
      action: 'dismiss',
    });
    expect(dismissed.statusCode).toBe(303);
    expect(await statusOf(other)).toMatchObject({ status: 'dismissed' });

    const audit = await deps().audit.list({});
    expect(audit.filter((e) => e.action.startsWith('candidate.')).map((e) => e.action)).toEqual([
      'candidate.dismiss',
      'candidate.move',
      'candidate.pick',
    ]);
    expect(audit[0]?.actor).toEqual({
      kind: 'editor',
      editorId: editor.editor.id,
      name: 'redac@example.org',
    });
  });

  it('refuses a bulk form without ids, with an id of another newsletter or a bad action', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const postdoc = await idOf('Postdoc à l’École normale supérieure');
    const nsf = await idOf('NSF École budget');
    const before = await snapshot();
    const none = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      action: 'pick',
    });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Cochez au moins un candidat.');
    const foreign = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: [postdoc, nsf],
      action: 'dismiss',
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('Rien n’a été modifié');
    expect(foreign.body).toContain(`with id ${nsf}`);
    const noSection = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: postdoc,
      action: 'move',
    });
    expect(noSection.statusCode).toBe(400);
    const badAction = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: postdoc,
      action: 'delete',
    });
    expect(badAction.statusCode).toBe(400);
    const badId = await postFrom(web.app, editor, INBOX, '/editor/inbox/bulk', {
      newsletter: 'fil-de-marianne',
      ids: 'abc',
      action: 'pick',
    });
    expect(badId.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('notes a candidate and picks it with a rewritten title and summary on its page', async () => {
    const editor = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const chaire = await idOf('Chaire de professeur junior');
    const pageUrl = `/editor/inbox/${chaire}?newsletter=fil-de-marianne`;
    const page = await getPage(web.app, editor, pageUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Chaire de professeur junior');
    expect(page.body).toContain('Aucune note.');

    const noted = await postFrom(web.app, editor, pageUrl, `/editor/inbox/${chaire}/note`, {
      newsletter: 'fil-de-marianne',
      text: 'Vérifier la date limite <b>vite</b>',
    });
    expect(noted.statusCode).toBe(303);
    const withNote = await getPage(web.app, editor, String(noted.headers.location));
    expect(withNote.body).toContain('Note ajoutée.');
    expect(withNote.body).toContain('Vérifier la date limite &lt;b&gt;vite&lt;/b&gt;');
    expect(withNote.body).toContain('redac@example.org');

    const emptyNote = await postFrom(web.app, editor, pageUrl, `/editor/inbox/${chaire}/note`, {
      newsletter: 'fil-de-marianne',
      text: '  ',
    });
    expect(emptyNote.statusCode).toBe(400);
    expect(emptyNote.body).toContain('expected a note');

    const picked = await postFrom(web.app, editor, pageUrl, `/editor/inbox/${chaire}/pick`, {
      newsletter: 'fil-de-marianne',
      section: 'postes',
      issue_title: 'Chaires de professeur junior 2027',
      issue_summary: 'Cinquante chaires ouvertes.',
    });
    expect(picked.statusCode).toBe(303);
    const [row] = await queryRows<{ status: string; issue_title: string; section_id: string }>(
      database.handle.db,
      sql`SELECT status, issue_title, section_id FROM feed_candidates WHERE id = ${Number(chaire)}`,
    );
    expect(row).toEqual({
      status: 'picked',
      issue_title: 'Chaires de professeur junior 2027',
      section_id: 'postes',
    });
    const list = await getPage(web.app, editor, `${INBOX}&state=picked`);
    expect(list.body).toContain('Chaires de professeur junior 2027');
    expect(list.body).toContain('titre réécrit');
    expect(list.body).toContain('1 note(s)');

    const dismissed = await postFrom(web.app, editor, pageUrl, `/editor/inbox/${chaire}/dismiss`, {
      newsletter: 'fil-de-marianne',
    });
    expect(dismissed.statusCode).toBe(303);
    expect(await statusOf(chaire)).toMatchObject({ status: 'dismissed' });
    const moved = await postFrom(web.app, editor, pageUrl, `/editor/inbox/${chaire}/move`, {
      newsletter: 'fil-de-marianne',
      section: 'agences',
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.body).toContain('not a section of');
    const elsewhere = await getPage(web.app, editor, `/editor/inbox/${chaire}?newsletter=adn`);
    expect(elsewhere.statusCode).toBe(404);
  });

  it('lets nobody in without a session, and refuses a form without its CSRF token', async () => {
    const postdoc = await idOf('Postdoc à l’École normale supérieure');
    const before = await snapshot();
    const anonymous = await web.app.inject({ method: 'GET', url: INBOX });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain('/editor/sign-in');
    const anonymousPost = await web.app.inject({
      method: 'POST',
      url: '/editor/inbox/bulk',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `newsletter=fil-de-marianne&ids=${postdoc}&action=pick`,
    });
    expect([401, 403]).toContain(anonymousPost.statusCode);

    const editor: EditorBrowser = await signedInEditor(deps(), 'redac@example.org', 'editor');
    const noToken = await postFrom(
      web.app,
      editor,
      INBOX,
      '/editor/inbox/bulk',
      { newsletter: 'fil-de-marianne', ids: postdoc, action: 'pick' },
      { csrf: false },
    );
    expect(noToken.statusCode).toBe(403);
    const noTokenNote = await postFrom(
      web.app,
      editor,
      INBOX,
      `/editor/inbox/${postdoc}/note`,
      { newsletter: 'fil-de-marianne', text: 'x' },
      { csrf: false },
    );
    expect(noTokenNote.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});
