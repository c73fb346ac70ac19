import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import axe from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { createEditorWorkspaceDeps, createWebDeps } from '../../src/app/web-deps.ts';
import type { Config } from '../../src/config/index.ts';
import { loadNewsletters } from '../../src/content/index.ts';
import { createAuditRepository } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { createSmtpTransport, type MailTransport } from '../../src/mail/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import type { EditorWorkspaceDeps } from '../../src/web/editor/index.ts';
import { buildApp } from '../../src/web/index.ts';
import { launchChromium } from '../helpers/browser.ts';
import {
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
} from '../helpers/campaign-fixtures.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { signedInEditor } from '../helpers/editor-session.ts';
import { startLinkServer } from '../helpers/link-server.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const ISSUE = '/editor/issues/fil-de-marianne/2026-12';

/**
 * axe-core on the page as it is, under its own Content-Security-Policy: `evaluate` runs outside
 * the page's script policy, so the page's one script keeps running under its hash.
 */
async function accessibilityViolations(page: Page) {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await run.run()).violations as Array<{
      id: string;
      impact: string | null;
      nodes: Array<{ target: string[] }>;
    }>;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, targets: v.nodes.flatMap((node) => node.target.map(String)) }));
}

/** Text with its links and line endings made comparable (each copy has its own signed links). */
function comparable(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/https?:\/\/[^\s"'<>)\]]+/g, '<link>')
    .trim();
}

describe('composing an issue in Chromium', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let transport: MailTransport;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let issuesDir: string;
  let editor: EditorWorkspaceDeps;
  let deliveryConfig: Config;
  let deliveryRedis: ReturnType<typeof createRedisConnection>;
  let delivery: Awaited<ReturnType<typeof startDeliveryRuntime>>;
  let linkServer: Awaited<ReturnType<typeof startLinkServer>>;

  beforeAll(async () => {
    const logger = createSilentLogger();
    issuesDir = await mkdtemp(path.join(os.tmpdir(), 'composer-e2e-'));
    await cp('issues', issuesDir, { recursive: true });
    linkServer = await startLinkServer();
    database = await openTestPglite();
    sink = await startSmtpSink();
    transport = createSmtpTransport({ urls: [sink.url], poolSize: 1, logger });
    const newsletters = await loadNewsletters(issuesDir);
    const tokens = createTokenSigner({
      keyId: 'e2e',
      secret: 'end-to-end-secret-of-32-characters!',
    });
    deliveryConfig = deliveryTestConfig({
      QUEUE_PREFIX: testQueuePrefix(),
      SMTP_URL: sink.url,
      ISSUES_DIR: issuesDir,
    });
    deliveryRedis = createRedisConnection(deliveryConfig.REDIS_URL);
    delivery = await startDeliveryRuntime({
      config: deliveryConfig,
      logger,
      clock: systemClock,
      database: database.handle,
      redis: deliveryRedis,
    });
    const transactionalQueue = { add: async () => undefined as never };
    editor = createEditorWorkspaceDeps({
      db: database.handle.db,
      clock: systemClock,
      config: {
        EDITOR_SESSION_IDLE_MINUTES: 60,
        EDITOR_SESSION_MAX_HOURS: 12,
        DEPECHE_ENV: 'test',
        ISSUES_DIR: issuesDir,
        // Approval checks every link: the items' links point at a local server.
        FEED_ALLOW_PRIVATE_ADDRESSES: ['127.0.0.1'],
      },
      transactionalQueue,
      printLine: () => undefined,
      campaigns: {
        delivery: delivery.delivery.service,
        reader: delivery.delivery.reader,
        audit: createAuditRepository(database.handle.db),
        clock: systemClock,
      },
      preview: {
        templatesDir: 'templates',
        publicUrl: deliveryConfig.PUBLIC_URL,
        signer: tokens,
        transport,
      },
    });
    app = await buildApp(
      createWebDeps({
        db: database.handle.db,
        subscribers: buildSubscriberService({
          db: database.handle.db,
          clock: systemClock,
          logger,
        }),
        tokens,
        transactionalQueue,
        newsletters,
        publicUrl: 'http://127.0.0.1',
        clock: systemClock,
        logger,
        editor,
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await delivery?.close();
    if (deliveryRedis) await closeRedisConnection(deliveryRedis);
    if (deliveryConfig)
      await deleteRedisKeys(deliveryConfig.REDIS_URL, deliveryConfig.QUEUE_PREFIX);
    await app?.close();
    await transport?.close?.();
    await sink?.close();
    await database?.drop();
    await linkServer?.close();
    if (issuesDir) await rm(issuesDir, { recursive: true, force: true });
  });

  /** A browser signed in as a new account of `role`, the page's CSP left on. */
  async function signedIn(email: string, role: 'editor' | 'publisher'): Promise<BrowserContext> {
    const account = await signedInEditor(editor, email, role);
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1400, height: 1000 },
    });
    await context.addCookies([
      { name: 'depeche_editor', value: account.cookies.depeche_editor!, url: base },
    ]);
    return context;
  }

  /** Clicks a button that posts the page's form and waits for the next page. */
  async function press(page: Page, selector: string) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  }

  async function expectAccessible(page: Page, step: string) {
    expect(await accessibilityViolations(page), step).toEqual([]);
  }

  /** The body text of the email in a preview frame (its inner `srcdoc` frame when it has one). */
  async function frameText(page: Page, name: string): Promise<string> {
    const frame = page.frame({ name });
    if (!frame) return '';
    const inner = frame.childFrames()[0] ?? frame;
    return (await inner.textContent('body').catch(() => '')) ?? '';
  }

  it('an editor composes Le fil de Marianne with a job, a fellowship and an event in both languages, previews and test-sends it, meets a conflict with a second editor, submits; a publisher approves; the campaign sends what the preview showed', async () => {
    const page = await (await signedIn('redaction@example.org', 'editor')).newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));

    // The issues list: create the issue of the next month.
    await page.goto(`${base}/editor/issues?newsletter=fil-de-marianne`);
    expect(await page.textContent('h1')).toBe('Numéros');
    await expectAccessible(page, 'issues list');
    await page.fill('#create-month', '2026-12');
    await press(page, 'form[action="/editor/issues"] button[type=submit]');
    expect(new URL(page.url()).pathname).toBe(ISSUE);
    await expectAccessible(page, 'new issue');
    // a new issue has every section of the newsletter, each with a placeholder the guards flag
    expect(await page.locator('.issue-section').count()).toBe(5);
    expect(await page.textContent('.issue-section')).toContain('placeholder text « À compléter »');

    // Keep jobs, fellowships and events; the other sections go.
    await press(page, 'button[value="remove-section:1"]'); // appels
    await press(page, 'button[value="remove-section:2"]'); // prix
    expect(await page.locator('.issue-section h2').allTextContents()).toEqual([
      'Rubrique : Postes',
      'Rubrique : Bourses et contrats',
      'Rubrique : Événements',
    ]);
    await page.selectOption('#f-sections-0-items-0-kind', 'job');
    await page.selectOption('#f-sections-1-items-0-kind', 'fellowship');
    await page.selectOption('#f-sections-2-items-0-kind', 'event');
    await press(page, 'button[value="refresh"] >> nth=0');
    expect(await page.locator('#f-sections-0-items-0-institution').count()).toBe(1);
    expect(await page.locator('#f-sections-2-items-0-place').count()).toBe(1);
    expect(await page.locator('#f-sections-2-items-0-institution').count()).toBe(0);
    await expectAccessible(page, 'issue with the kinds chosen');

    // Drag and drop (the script): the fellowship dropped on the events' "add" row goes there…
    // (the drag events as the browser fires them, dispatched on the handle and the drop row)
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.evaluate(() => {
        const transfer = new DataTransfer();
        const fire = (selector: string, type: string) =>
          document
            .querySelector(selector)!
            .dispatchEvent(
              new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
            );
        fire('#item-1-0 [data-drag-handle]', 'dragstart');
        fire('#section-2 .add-item', 'dragover');
        fire('#section-2 .add-item', 'drop');
      }),
    ]);
    expect(await page.locator('#section-2 .issue-item').count()).toBe(2);
    expect(await page.inputValue('#f-sections-2-items-1-kind')).toBe('fellowship');
    // …and the "Move" button, which works without JavaScript, brings it back.
    await page.selectOption('#move-2-1', 'bourses');
    await press(page, 'button[value="move-item:2:1"]');
    expect(await page.inputValue('#f-sections-1-items-0-kind')).toBe('fellowship');
    expect(await page.locator('#section-2 .issue-item').count()).toBe(1);

    // The header and the three items, in French and English.
    const fill = async (fields: Record<string, string>) => {
      for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
    };
    await fill({
      'f-subject': 'Le fil de Marianne n° 22 — postes, bourses et rencontres',
      'f-en-subject': 'Le fil de Marianne #22 — jobs, fellowships and meetings',
      'f-preheader': 'Trois occasions de revenir en France cet hiver.',
      'f-en-preheader': 'Three chances to come back to France this winter.',
      'f-introduction': 'Trois **occasions** ce mois-ci.',
      'f-en-introduction': 'Three **chances** this month.',
      'f-sections-0-items-0-title': 'Chargé·e de recherche en climatologie au CNRS',
      'f-sections-0-items-0-en-title': 'CNRS research scientist in climatology',
      'f-sections-0-items-0-summary': 'Un poste permanent à Toulouse.',
      'f-sections-0-items-0-en-summary': 'A permanent position in Toulouse.',
      'f-sections-0-items-0-url': `${linkServer.base}/emploi.cnrs.fr/offres/climat-2027`,
      'f-sections-0-items-0-institution': 'CNRS',
      'f-sections-0-items-0-location': 'Toulouse',
      'f-sections-0-items-0-deadline': '2027-02-15',
      'f-sections-1-items-0-title': 'Bourse de retour Marie Curie',
      'f-sections-1-items-0-en-title': 'Marie Curie return fellowship',
      'f-sections-1-items-0-summary': 'Deux ans de financement pour revenir.',
      'f-sections-1-items-0-en-summary': 'Two years of funding to come back.',
      'f-sections-1-items-0-url': `${linkServer.base}/anr.fr/bourses/retour-2027`,
      'f-sections-1-items-0-institution': 'ANR',
      'f-sections-1-items-0-location': 'France',
      'f-sections-1-items-0-deadline': '2027-03-01',
      'f-sections-2-items-0-title': 'Rencontres de la recherche française à Boston',
      'f-sections-2-items-0-en-title': 'French research meeting in Boston',
      'f-sections-2-items-0-summary': 'Une journée pour rencontrer les laboratoires.',
      'f-sections-2-items-0-en-summary': 'A day to meet the laboratories.',
      'f-sections-2-items-0-url': `${linkServer.base}/france-science.example.org/boston-2027`,
      'f-sections-2-items-0-start': '2027-01-20',
      'f-sections-2-items-0-place': 'Boston',
    });
    // before the texts, every English was marked missing
    expect(await page.locator('.missing-en').count()).toBeGreaterThan(0);

    // The live preview follows the form, unsaved, under the page's CSP (its script by hash).
    expect(await page.getAttribute('#composer-form', 'class')).toContain('has-script');
    await expect
      .poll(() => frameText(page, 'preview-fr-600'), { timeout: 30_000 })
      .toContain('Chargé·e de recherche en climatologie au CNRS');
    await expect
      .poll(() => frameText(page, 'preview-en-375'), { timeout: 30_000 })
      .toContain('Marie Curie return fellowship');
    await page.fill('#f-sections-2-items-0-place', 'Boston, MIT');
    await expect
      .poll(() => frameText(page, 'preview-fr-text'), { timeout: 30_000 })
      .toContain('Boston, MIT');

    await press(page, 'button[value="save"] >> nth=0');
    expect(new URL(page.url()).search).toBe('?done=saved');
    expect(await page.textContent('.notice')).toContain('Numéro enregistré');
    expect(await page.locator('.missing-en').count()).toBe(0);
    await expectAccessible(page, 'saved issue');
    const savedText = await readFile(
      path.join(issuesDir, 'fil-de-marianne', '2026-12.yaml'),
      'utf8',
    );
    expect(savedText).toContain('kind: fellowship');
    expect(savedText).toContain('created in the workspace'); // the file's comment is kept

    // Test send to the editor, caught at the SMTP sink; the page stays.
    await page.locator('.composer-test-send button[type=submit]').scrollIntoViewIfNeeded();
    await page.locator('.composer-test-send button[type=submit]').click();
    await expect
      .poll(() => page.textContent('#test-send-result'), { timeout: 30_000 })
      .toContain('redaction@example.org');
    const test = sink.messages.find((m) => m.envelope.rcptTo.includes('redaction@example.org'));
    const testMail = await simpleParser(test!.raw);
    expect(testMail.subject).toContain('Le fil de Marianne n° 22 — postes, bourses et rencontres');
    expect(testMail.text).toContain('Boston, MIT');

    // Meanwhile a second editor changes the file from the command line (their text editor).
    const file = path.join(issuesDir, 'fil-de-marianne', '2026-12.yaml');
    const theirs = (await readFile(file, 'utf8')).replace(
      'Trois occasions de revenir en France cet hiver.',
      'Trois occasions de revenir cet hiver (relu).',
    );
    expect(theirs).toContain('(relu)');
    await writeFile(file, theirs);

    // The first editor's next save shows both versions; their own text stays in the form.
    await page.fill('#f-en-introduction', 'Three **chances** this month, all open to you.');
    await press(page, 'button[value="save"] >> nth=0');
    expect(await page.textContent('.conflict h2')).toBe('Deux versions du numéro');
    expect(await page.textContent('.conflict')).toContain('(relu)');
    expect(await page.inputValue('#f-en-introduction')).toBe(
      'Three **chances** this month, all open to you.',
    );
    await expectAccessible(page, 'conflict');
    await press(page, 'button[value="overwrite"]');
    expect(new URL(page.url()).search).toBe('?done=saved');
    const overwritten = await readFile(file, 'utf8');
    expect(overwritten).toContain('all open to you');
    expect(overwritten).not.toContain('(relu)');

    await press(page, `form[action="${ISSUE}/submit"] button`);
    expect(await page.getAttribute('[data-state]', 'data-state')).toBe('in_review');
    await expectAccessible(page, 'issue in review');

    // A publisher approves; the issue's state shows on its page, the list and the home page.
    const publisher = await (await signedIn('direction@example.org', 'publisher')).newPage();
    await publisher.goto(`${base}${ISSUE}`);
    await expectAccessible(publisher, 'issue page of the publisher');
    await press(publisher, `form[action="${ISSUE}/approve"] button`);
    expect(await publisher.getAttribute('[data-state]', 'data-state')).toBe('approved');
    await publisher.goto(`${base}/editor`);
    const card = 'section[aria-labelledby="nl-fil-de-marianne"] [data-issue-state]';
    expect(await publisher.getAttribute(card, 'data-issue-state')).toBe('approved');
    await expectAccessible(publisher, 'home');

    // The preview the editors saw, for the comparison with what subscribers get.
    const preview = (await (
      await publisher.request.get(`${base}${ISSUE}/preview?locale=fr`, {
        headers: { accept: 'application/json' },
      })
    ).json()) as { subject: string; text: string };

    // A campaign of the approved issue, sent through the delivery workers.
    await seedAudience(database.handle.db, 10, 'fil-de-marianne');
    await publisher.goto(`${base}/editor/campaigns/new?newsletter=fil-de-marianne`);
    await publisher.selectOption('#issue', 'fil-de-marianne/2026-12');
    await press(publisher, 'main button[type=submit]');
    await press(publisher, 'form[action="/editor/campaigns"] button[type=submit]');
    expect(publisher.url()).toMatch(/\/editor\/campaigns\/\d+\?done=create/);
    await press(publisher, 'form[action$="/send"] button[type=submit]');
    await publisher.waitForFunction(
      () => document.querySelector('[data-field="state"]')?.textContent === 'terminée',
      undefined,
      { timeout: 60_000 },
    );
    const received = sink.messages.find((m) => m.envelope.rcptTo.includes('user1@example.org'));
    const mail = await simpleParser(received!.raw);
    expect(mail.subject).toBe(preview.subject);
    expect(comparable(mail.text ?? '').replace('Reader 1', '')).toBe(
      comparable(preview.text).replace(/Bonjour[^,\n]*,/, 'Bonjour ,'),
    );
    expect(scriptErrors).toEqual([]);
  });
});
