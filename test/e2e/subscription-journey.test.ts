import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { createWebDeps } from '../../src/app/web-deps.ts';
import { createIssueSnapshotter } from '../../src/campaigns/index.ts';
import { loadIssue, loadNewsletters } from '../../src/content/index.ts';
import { createCampaignRepository, queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import {
  createConfirmationSender,
  createSmtpTransport,
  type MailTransport,
} from '../../src/mail/index.ts';
import { openTransactionalQueue, startTransactionalWorker } from '../../src/queue/index.ts';
import { createRenderer } from '../../src/render/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { buildApp } from '../../src/web/index.ts';
import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const email = 'ines.garcia@example.org';

describe('subscription journey in Chromium', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let redis: Redis;
  let queue: Queue;
  let worker: { close(): Promise<void> };
  let transport: MailTransport;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  const tokens = createTokenSigner({ keyId: 'e2e', secret: 'end-to-end-secret-of-32-characters!' });

  beforeAll(async () => {
    const logger = createSilentLogger();
    const prefix = `{test-web-${randomUUID().slice(0, 8)}}`;
    database = await openTestPglite();
    sink = await startSmtpSink();
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = openTransactionalQueue(redis, {
      QUEUE_PREFIX: prefix,
      SEND_ATTEMPTS: 3,
      SEND_RETRY_DELAY_MS: 500,
    });
    const newsletters = await loadNewsletters('issues');
    const subscribers = buildSubscriberService({
      db: database.handle.db,
      clock: systemClock,
      logger,
    });
    app = await buildApp(
      createWebDeps({
        db: database.handle.db,
        subscribers,
        tokens,
        transactionalQueue: queue,
        newsletters,
        publicUrl: 'http://127.0.0.1',
        clock: systemClock,
        logger,
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    transport = createSmtpTransport({ urls: [sink.url], poolSize: 1, logger });
    worker = await startTransactionalWorker({
      connection: redis,
      prefix,
      logger,
      sender: createConfirmationSender({
        subscribers,
        tokens,
        renderer: createRenderer({ templatesDir: 'templates' }),
        transport,
        newsletters,
        publicUrl: base,
        clock: systemClock,
        logger,
      }),
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      bypassCSP: true,
      locale: 'fr-FR',
      viewport: { width: 375, height: 800 },
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await transport?.close?.();
    redis?.disconnect();
    await app?.close();
    await sink?.close();
    await database?.drop();
  });

  async function expectAccessible(step: string) {
    expect(await seriousAccessibilityViolations(page), step).toEqual([]);
    const fits = await page.evaluate(
      () => document.documentElement.scrollWidth <= window.innerWidth,
    );
    expect(fits, `${step}: no horizontal scrolling at 375 px`).toBe(true);
  }
  const statuses = () =>
    queryRows<{ newsletter_id: string; status: string }>(
      database.handle.db,
      sql`SELECT newsletter_id, status FROM subscriptions ORDER BY newsletter_id`,
    );

  it('subscribes, confirms from the mail, changes preferences and unsubscribes', async () => {
    await page.goto(`${base}/subscribe`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expectAccessible('subscribe form');
    await page.fill('#email', email);
    await page.check('#newsletter-adn');
    await page.click('details.profile summary');
    await page.fill('#name', 'Inès García');
    await page.selectOption('#country', 'MX');
    await page.check('#consent');
    await Promise.all([page.waitForURL(`${base}/subscribe`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Vérifiez votre messagerie');
    await expectAccessible('check your inbox');
    expect(await statuses()).toEqual([{ newsletter_id: 'adn', status: 'pending' }]);

    await expect.poll(() => sink.messages.length, { timeout: 20_000 }).toBe(1);
    const mail = await simpleParser(sink.messages[0]?.raw ?? Buffer.alloc(0));
    expect(mail.subject).toContain('AdN');
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain(email);
    expect(mail.html).toContain('/c/');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/c\/\S+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();

    await page.goto(link ?? '');
    await expectAccessible('confirmation page');
    expect(await statuses()).toEqual([{ newsletter_id: 'adn', status: 'pending' }]);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Abonnement confirmé');
    await expectAccessible('confirmed');
    expect(await statuses()).toEqual([{ newsletter_id: 'adn', status: 'active' }]);

    await Promise.all([page.waitForURL(/\/p\//), page.click('a.button')]);
    expect(await page.inputValue('#name')).toBe('Inès García');
    await expectAccessible('preferences');
    await page.check('#newsletter-fil-de-marianne');
    await page.check('#language-en');
    await Promise.all([page.waitForLoadState('load'), page.click('form.form button[type=submit]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('.notice')).toContain('Your preferences have been saved.');
    await expectAccessible('preferences saved');
    expect(await statuses()).toEqual([
      { newsletter_id: 'adn', status: 'active' },
      { newsletter_id: 'fil-de-marianne', status: 'active' },
    ]);

    // The unsubscribe link of an AdN issue, as the email carries it.
    const unsubscribe = tokens.sign({
      purpose: 'unsubscribe',
      subscriberId: 1,
      newsletterId: 'adn',
    });
    await page.goto(`${base}/u/${unsubscribe}`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expectAccessible('unsubscribe page');
    expect(await page.locator('main button').count()).toBe(1);
    await Promise.all([page.waitForLoadState('load'), page.click('main button')]);
    expect(await page.textContent('h1')).toBe('You are unsubscribed');
    await expectAccessible('unsubscribed');
    expect(await statuses()).toEqual([
      { newsletter_id: 'adn', status: 'unsubscribed' },
      { newsletter_id: 'fil-de-marianne', status: 'active' },
    ]);
  });

  it('serves every other page accessibly at 375 px, and the language switch keeps the search', async () => {
    // A sent issue in the archive: the real adn/2026-11, rendered as `campaign create` does.
    const renderer = createRenderer({ templatesDir: 'templates' });
    const snapshot = await createIssueSnapshotter({
      loadIssue: (ref) => loadIssue('issues', ref),
      renderIssue: (issue, newsletter, locale) => renderer.renderIssue(issue, newsletter, locale),
    })('adn/2026-11');
    const campaign = await createCampaignRepository().create(database.handle.db, {
      ...snapshot,
      segment: {},
    });
    await database.handle.db.execute(
      sql`UPDATE campaigns SET status = 'done', started_at = now() WHERE id = ${campaign.id}`,
    );

    await page.goto(`${base}/privacy`);
    await expectAccessible('privacy notice');

    // The form's errors, next to their fields: no newsletter ticked.
    await page.goto(`${base}/subscribe`);
    await page.fill('#email', 'paul.durand@example.org');
    await page.check('#consent');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.isVisible('#newsletters-error')).toBe(true);
    await expectAccessible('subscribe form with errors');

    await page.goto(`${base}/archive/adn`);
    await expectAccessible('archive');
    await page.fill('#q', 'federal');
    await Promise.all([page.waitForLoadState('load'), page.click('form.search button')]);
    expect(await page.textContent('ol.issues')).toContain('Budget fédéral');
    await expectAccessible('archive search');
    await Promise.all([page.waitForLoadState('load'), page.click('nav a[lang=en]')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('federal');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.inputValue('#q')).toBe('federal');
    expect(await page.textContent('ol.issues')).toContain('Federal budget');
    await Promise.all([page.waitForLoadState('load'), page.click('ol.issues a')]);
    expect(await page.title()).toContain('AdN #34');
    await expectAccessible('web version of an issue');
    await Promise.all([page.waitForLoadState('load'), page.click('nav a[lang=fr]')]);
    expect(await page.title()).toContain('AdN n° 34');

    // Erasure: the confirmation step, then the page after.
    const { subscriber } = await buildSubscriberService({
      db: database.handle.db,
      clock: systemClock,
      logger: createSilentLogger(),
    }).subscribe({ email: 'paul.durand@example.org', newsletterIds: ['adn'] }, { source: 'e2e' });
    const preferences = tokens.sign({ purpose: 'preferences', subscriberId: subscriber?.id ?? 0 });
    await page.goto(`${base}/p/${preferences}/erase`);
    await expectAccessible('erase confirmation');
    await page.check('#confirm');
    await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Données effacées');
    await expectAccessible('erased');

    await page.goto(`${base}/u/not-a-token`);
    await expectAccessible('error page');
  });
});
