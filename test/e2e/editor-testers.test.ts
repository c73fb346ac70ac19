import { fileURLToPath } from 'node:url';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSilentLogger } from '../../src/lib/index.ts';
import { createSmtpTransport, type MailTransport } from '../../src/mail/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { signedInEditor } from '../helpers/editor-session.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { buildTestWebApp, testSecret, type TestWebApp } from '../helpers/web-app.ts';

/**
 * The testers page and the test-send form in Chromium (pages without scripts, CSP bypassed for
 * axe), signed in as a publisher: an address refused then one added through the browser's own form, a test sent to
 * the testers, and axe-core finding no serious or critical violation on any of the pages. The
 * preview at 375 px shows the email in a sandboxed frame of that width.
 */
describe('the testers and test-send pages in Chromium', () => {
  let database: TestDatabase;
  let web: TestWebApp;
  let sink: SmtpSink;
  let transport: MailTransport;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const testersUrl = '/editor/newsletters/fil-de-marianne/testers';
  const issueUrl = '/editor/issues/fil-de-marianne/2026-11';

  beforeAll(async () => {
    database = await openTestPglite();
    sink = await startSmtpSink();
    transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
    });
    web = await buildTestWebApp({
      database: database.handle,
      editor: {
        issuesDir: fileURLToPath(new URL('../../issues/', import.meta.url)),
        publicUrl: 'http://127.0.0.1',
        preview: {
          templatesDir: fileURLToPath(new URL('../../templates/', import.meta.url)),
          publicUrl: 'https://news.example.org',
          signer: createTokenSigner({ keyId: 't1', secret: testSecret }),
          transport,
        },
      },
    });
    await web.app.listen({ host: '127.0.0.1', port: 0 });
    const address = web.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    if (!web.editor) throw new Error('workspace not built');
    const publisher = await signedInEditor(web.editor, 'pub@example.org', 'publisher');
    browser = await launchChromium();
    context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
    await context.addCookies([
      {
        name: 'depeche_editor',
        value: publisher.cookies.depeche_editor ?? '',
        url: `${base}/editor`,
      },
    ]);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.app.close();
    await transport?.close?.();
    await sink?.close();
    await database?.drop();
  });

  it('adds a tester through the form, refusing a bad address first', async () => {
    await page.goto(`${base}${testersUrl}`);
    expect(await page.textContent('h1')).toBe('Testeurs — Le fil de Marianne');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.fill('#tester-email', 'pas une adresse');
    await page.click('button:has-text("Ajouter")');
    await page.waitForSelector('p.alert');
    expect(await page.textContent('p.alert')).toContain('Adresse invalide');
    expect(await page.getAttribute('#tester-email', 'aria-invalid')).toBe('true');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.fill('#tester-email', 'relecture@example.org');
    await page.click('button:has-text("Ajouter")');
    await page.waitForURL(`${base}${testersUrl}?done=added`);
    expect(await page.textContent('table.data tbody')).toContain('relecture@example.org');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }, 120_000);

  it('sends a test to the testers from the form and shows who got it', async () => {
    await page.goto(`${base}${issueUrl}/test-send`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.uncheck('#test-send-to-me');
    await page.check('#test-send-to-testers');
    await page.click('button:has-text("Envoyer le test")');
    await page.waitForSelector('section.test-send-result');
    expect(await page.textContent('ul.accepted')).toContain('relecture@example.org');
    expect(sink.messages.map((message) => message.envelope.rcptTo)).toEqual([
      ['relecture@example.org'],
    ]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }, 120_000);

  it('shows the email at 375 px in a sandboxed frame, its inline styles applied', async () => {
    const scripted = await browser.newContext({ locale: 'fr-FR' });
    await scripted.addCookies(await context.cookies());
    const preview = await scripted.newPage();
    const response = await preview.goto(`${base}${issueUrl}/preview?width=375`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'none'");
    const frame = preview.frames().find((candidate) => candidate.url() === 'about:srcdoc');
    expect(frame).toBeDefined();
    const facts = await frame!.evaluate(() => ({
      width: window.innerWidth,
      hasStyles: document.querySelectorAll('style').length > 0,
      // the inline styles apply: MJML's tables are laid out at the frame's width, not the page's
      bodyWidth: document.body.getBoundingClientRect().width,
      subject: document.title,
    }));
    expect(facts.width).toBe(375);
    expect(facts.hasStyles).toBe(true);
    expect(facts.bodyWidth).toBeLessThanOrEqual(375);
    expect(facts.subject).toContain('Le fil de Marianne n° 21');
    await scripted.close();
  }, 120_000);
});
