import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createCandidateRepository, queryRows } from '../../src/db/index.ts';
import type { NewCandidate } from '../../src/feeds/index.ts';
import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { signedInEditor } from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

function candidate(index: number, title: string, overrides: Partial<NewCandidate> = {}) {
  const url = `https://cnrs.example.org/offre/${index}`;
  return {
    newsletterId: 'fil-de-marianne',
    feedUrl: 'https://cnrs.example.org/rss.xml',
    sourceName: 'CNRS',
    guid: null,
    url,
    canonicalUrl: url,
    title,
    titleKey: title.toLowerCase(),
    summary: `Résumé de ${title}`,
    sectionId: 'postes',
    publishedAt: new Date(Date.UTC(2026, 10, 1, 0, index)),
    firstSeenAt: new Date(),
    deadline: index % 2 === 0 ? '2027-01-15' : null,
    ...overrides,
  } satisfies NewCandidate;
}

describe('the inbox in Chromium', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let browser: Browser;
  let base: string;
  let cookies: Record<string, string>;

  beforeAll(async () => {
    database = await openTestPglite();
    web = await buildTestWebApp({ database: database.handle, editor: {} });
    await web.app.listen({ host: '127.0.0.1', port: 0 });
    const address = web.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await createCandidateRepository(database.handle.db).insertNew([
      candidate(1, 'Postdoc à l’École normale supérieure'),
      candidate(2, 'Chaire de professeur junior', { sectionId: 'appels' }),
      candidate(3, 'Prix de la recherche'),
    ]);
    if (!web.editor) throw new Error('workspace not built');
    ({ cookies } = await signedInEditor(web.editor, 'redac@example.org', 'editor'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.app.close();
    await database?.drop();
  });

  async function signedInContext(options: { javaScriptEnabled: boolean }): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP: true, ...options });
    await context.addCookies(
      Object.entries(cookies).map(([name, value]) => ({ name, value, url: `${base}/editor` })),
    );
    return context;
  }

  it('has no serious or critical axe violation on the list and on a candidate’s page', async () => {
    const context = await signedInContext({ javaScriptEnabled: true });
    const page = await context.newPage();
    await page.goto(`${base}/editor/inbox?newsletter=fil-de-marianne`);
    expect(await page.textContent('h1')).toBe('Boîte de réception');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.click('text=Chaire de professeur junior');
    expect(await page.textContent('h1')).toBe('Chaire de professeur junior');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  it('picks ticked candidates and notes one with JavaScript off, from the keyboard', async () => {
    const context = await signedInContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/editor/inbox?newsletter=fil-de-marianne`);
    await page.check('input[aria-label="Sélectionner « Prix de la recherche »"]');
    await page.check('input[aria-label="Sélectionner « Chaire de professeur junior »"]');
    await page.focus('button[value="pick"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=picked/);
    expect(await page.textContent('p.notice')).toBe('2 candidat(s) retenu(s).');
    expect(await page.textContent('main')).toContain('1 candidat(s)');

    await page.click('text=Postdoc à l’École normale supérieure');
    await page.fill('#note-text', 'À relire avant vendredi');
    await page.click('text=Ajouter la note');
    await page.waitForURL(/done=noted/);
    expect(await page.textContent('main')).toContain('À relire avant vendredi');
    await context.close();

    const rows = await queryRows<{ status: string }>(
      database.handle.db,
      sql`SELECT status FROM feed_candidates ORDER BY id`,
    );
    expect(rows.map((row) => row.status)).toEqual(['new', 'picked', 'picked']);
  });
});
