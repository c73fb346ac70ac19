import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { signedInEditor } from '../helpers/editor-session.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

/**
 * The subscriber pages in Chromium, signed in as an admin: the CSV upload goes through the
 * browser's own multipart form (dry run, then the confirm button), and axe-core finds no
 * serious or critical violation on any of the pages.
 */
describe('the subscriber pages in Chromium', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let uploadDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    database = await openTestPglite();
    uploadDir = await mkdtemp(path.join(os.tmpdir(), 'depeche-e2e-imports-'));
    web = await buildTestWebApp({
      database: database.handle,
      editor: { importUploadDir: uploadDir, publicUrl: 'http://127.0.0.1' },
    });
    await web.app.listen({ host: '127.0.0.1', port: 0 });
    const address = web.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    if (!web.editor) throw new Error('workspace not built');
    const admin = await signedInEditor(web.editor, 'chef@example.org', 'admin');
    await web.subscribers.add(
      { email: 'alice@example.org', newsletterId: 'adn', profile: { name: 'Alice Martin' } },
      { source: 'test' },
    );
    await web.subscribers.suppress('bounced@example.org', 'hard_bounce', '550 5.1.1 unknown');
    await web.subscribers.erase('gone@example.org', { source: 'test' });
    browser = await launchChromium();
    context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
    await context.addCookies([
      {
        name: 'depeche_editor',
        value: admin.cookies.depeche_editor ?? '',
        url: `${base}/editor`,
      },
    ]);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.app.close();
    await database?.drop();
    await rm(uploadDir, { recursive: true, force: true });
  });

  async function expectAccessible(url: string): Promise<void> {
    if (page.url() !== `${base}${url}`) await page.goto(`${base}${url}`);
    expect(await seriousAccessibilityViolations(page), url).toEqual([]);
  }

  it('imports a file through the browser: dry run, report, confirm', async () => {
    await page.goto(`${base}/editor/subscribers/import`);
    await expectAccessible('/editor/subscribers/import');
    await page.selectOption('#newsletter', 'adn');
    await page.setInputFiles('#file', {
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email;nom\nnouvelle@example.org;Nouvelle\npas-une-adresse;X\n'),
    });
    await page.click('button[type="submit"]:has-text("Vérifier le fichier")');
    await page.waitForURL(/\/editor\/subscribers\/import\/[A-Za-z0-9_-]{24}$/);
    expect(await page.textContent('h1')).toBe('Vérification du fichier');
    expect(await page.textContent('td.line')).toBe('ligne 3');
    expect(await web.subscribers.findByEmail('nouvelle@example.org')).toBeNull();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.click('button:has-text("Importer ce fichier")');
    await page.waitForSelector('h1:has-text("Import terminé")');
    expect((await web.subscribers.findByEmail('nouvelle@example.org'))?.subscriptions).toEqual([
      expect.objectContaining({ newsletterId: 'adn', status: 'pending' }),
    ]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }, 120_000);

  it('has no serious accessibility violation on the other pages', async () => {
    const alice = await web.subscribers.findByEmail('alice@example.org');
    await expectAccessible('/editor/subscribers');
    await expectAccessible('/editor/subscribers?q=alice');
    await expectAccessible(`/editor/subscribers/${alice?.subscriber.id}`);
    await expectAccessible('/editor/subscribers/suppressions');
    // a refused lift shows its error beside its own field
    await page.fill('#lift-note-0', ' ');
    await page.locator('form.lift').first().locator('button').click();
    await page.waitForSelector('p.error');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }, 120_000);
});
