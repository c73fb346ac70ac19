import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { currentHashOf } from '../../src/cli/commands/issue-review.ts';
import { queryRows } from '../../src/db/index.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { ApprovalLinksBrokenError } from '../../src/review/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  type EditorBrowser,
  getPage,
  postFrom,
  signedInEditor,
} from '../helpers/editor-session.ts';
import { pointIssueLinksAt, startLinkServer } from '../helpers/link-server.ts';
import { repoRoot } from '../helpers/run-depeche.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const key = 'adn/2026-11';
const page = `/editor/issues/${key}/links`;

/** The issue's links page: results, marks and their refusals, through inject(). */
describe.each(databaseKinds)('issue links page on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let app: FastifyInstance;
  let links: Awaited<ReturnType<typeof startLinkServer>>;
  let workDir: string;
  let issuesDir: string;
  let missing: string;
  let editor: EditorBrowser;
  let publisher: EditorBrowser;

  beforeAll(async () => {
    database = await open();
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-links-web-'));
    issuesDir = path.join(workDir, 'issues');
    await cp(path.join(repoRoot, 'issues'), issuesDir, { recursive: true });
    links = await startLinkServer();
    await pointIssueLinksAt(issuesDir, links.base);
    missing = `${links.base}/www.nasa.gov/missing`;
    const file = path.join(issuesDir, `${key}.yaml`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(`${links.base}/www.nasa.gov/artemis/`, missing));
    // An issue file that does not pass `depeche check`.
    await writeFile(
      path.join(issuesDir, 'adn/2026-10.yaml'),
      text.replace(/^number: .*$/m, 'number: first'),
    );
    web = await buildTestWebApp({
      database: database.handle,
      editor: { issuesDir, allowPrivateAddresses: ['127.0.0.1'] },
    });
    app = web.app;
    editor = await signedInEditor(web.editor!, 'ed@example.org', 'editor');
    publisher = await signedInEditor(web.editor!, 'pub@example.org', 'publisher');
  });
  afterAll(async () => {
    await app?.close();
    await links?.close();
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  const knownRows = () =>
    queryRows<{ url: string; marked_by_name: string }>(
      database.handle.db,
      sql`SELECT url, marked_by_name FROM issue_known_links WHERE issue_key = ${key} ORDER BY url`,
    );
  const auditRows = (action: string) =>
    queryRows<{ actor_name: string; object_id: string; details: Record<string, unknown> }>(
      database.handle.db,
      sql`SELECT actor_name, object_id, details FROM audit_log WHERE action = ${action} ORDER BY id`,
    );
  const post = (
    browser: EditorBrowser,
    to: 'known' | 'unknown',
    url: string,
    options: { csrf?: boolean } = {},
  ) => postFrom(app, browser, page, `${page}/${to}`, { url }, options);

  it('shows every link with its result, the broken one with its status, in French', async () => {
    const response = await getPage(app, editor, page);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`<h1>Liens du numéro ${key}</h1>`);
    expect(response.body).toContain(
      '18 liens vérifiés : 17 valides, 1 en échec, 0 en échec marqués comme connus.',
    );
    expect(response.body.match(/data-result="ok"/g)).toHaveLength(17);
    expect(response.body).toMatch(
      new RegExp(
        `<tr data-result="broken">\\s*<td>[^<]*${key}\\.yaml:59: [^<]+</td>\\s*<td><a href="${missing}"`,
      ),
    );
    expect(response.body).toContain('En échec : HTTP 404');
    expect(response.body).toContain('Marquer comme connu');
  });

  it('refuses visitors without a session and forms without the CSRF token', async () => {
    const visitor = await app.inject({ method: 'GET', url: page });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/editor/sign-in');
    const anonymous = await app.inject({
      method: 'POST',
      url: `${page}/known`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `url=${encodeURIComponent(missing)}`,
    });
    expect(anonymous.statusCode).toBe(401);
    const noToken = await post(editor, 'known', missing, { csrf: false });
    expect(noToken.statusCode).toBe(403);
    expect(await knownRows()).toEqual([]);
  });

  it('refuses a URL that is not a link of the issue, a bad URL and an unmarked one, changing nothing', async () => {
    const outside = await post(editor, 'known', 'https://example.org/elsewhere');
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain(
      'https://example.org/elsewhere n’est pas un lien de ce numéro. Rien n’a été modifié.',
    );
    const bad = await post(editor, 'known', 'javascript:alert(1)');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Adresse invalide : un lien http:// ou https:// est attendu.');
    const notMarked = await post(editor, 'unknown', missing);
    expect(notMarked.statusCode).toBe(400);
    expect(notMarked.body).toContain(`${missing} n’est pas marqué comme connu.`);
    const noIssue = await getPage(app, editor, '/editor/issues/adn/2031-01/links');
    expect(noIssue.statusCode).toBe(404);
    const invalid = await getPage(app, editor, '/editor/issues/adn/2026-10/links');
    expect(invalid.statusCode).toBe(409);
    expect(invalid.body).toContain('ne passe pas la vérification');
    expect(invalid.body).toMatch(/<li><code>[^<]*adn\/2026-10\.yaml[^<]*number/);
    const badMonth = await getPage(app, editor, '/editor/issues/adn/2026-13/links');
    expect(badMonth.statusCode).toBe(404);
    expect(await knownRows()).toEqual([]);
    expect(await auditRows('issue.link-known')).toEqual([]);
  });

  it('marks and unmarks a broken link as an editor, audited; approval follows the marks', async () => {
    const hash = await currentHashOf(path.join(issuesDir, `${key}.yaml`));
    const review = web.editor!.review;
    await review.recordSave(key, hash, commandLineActor('test-editor'));
    await review.submit(key, hash, commandLineActor('test-editor'));
    const approver = {
      kind: 'editor' as const,
      editorId: publisher.editor.id,
      name: 'pub@example.org',
    };
    await expect(review.approve(key, hash, approver)).rejects.toBeInstanceOf(
      ApprovalLinksBrokenError,
    );

    const marked = await post(editor, 'known', missing);
    expect(marked.statusCode).toBe(303);
    expect(marked.headers.location).toBe(`${page}?done=marked`);
    expect(await knownRows()).toEqual([{ url: missing, marked_by_name: 'ed@example.org' }]);
    const shown = await getPage(app, publisher, `${page}?done=marked`);
    expect(shown.body).toContain('Lien marqué comme connu');
    expect(shown.body).toContain('En échec, connu : HTTP 404');
    expect(shown.body).toContain('Retirer la marque');

    const unmarked = await post(publisher, 'unknown', missing);
    expect(unmarked.statusCode).toBe(303);
    expect(await knownRows()).toEqual([]);
    expect(await post(editor, 'known', missing)).toMatchObject({ statusCode: 303 });
    expect(await auditRows('issue.link-known')).toEqual([
      { actor_name: 'ed@example.org', object_id: key, details: { url: missing } },
      { actor_name: 'ed@example.org', object_id: key, details: { url: missing } },
    ]);
    expect(await auditRows('issue.link-unknown')).toEqual([
      { actor_name: 'pub@example.org', object_id: key, details: { url: missing } },
    ]);

    const status = await review.approve(key, hash, approver);
    expect(status.state).toBe('approved');
    expect(status.links).toMatchObject({ checked: 18, ok: 17, broken: 0, known: 1 });
  });

  it('speaks English to an editor who chose it', async () => {
    const chosen = await postFrom(app, editor, '/editor/account', '/editor/account/locale', {
      locale: 'en',
    });
    expect(chosen.statusCode).toBe(303);
    const response = await getPage(app, editor, page);
    expect(response.body).toContain(`<h1>Links of issue ${key}</h1>`);
    expect(response.body).toContain(
      '18 links checked: 17 ok, 0 broken, 1 broken and marked known.',
    );
    expect(response.body).toContain('Broken, known: HTTP 404');
  });
});
