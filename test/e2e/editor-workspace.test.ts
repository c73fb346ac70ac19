import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDeliveryRuntime } from '../../src/app/build-delivery.ts';
import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { createEditorWorkspaceDeps, createWebDeps } from '../../src/app/web-deps.ts';
import type { Config } from '../../src/config/index.ts';
import { loadNewsletters } from '../../src/content/index.ts';
import {
  createAuditRepository,
  createCandidateRepository,
  createEditorRepository,
  createFeedHealthRepository,
} from '../../src/db/index.ts';
import { startFeedServer } from '../../src/demo/feed-server.ts';
import { commandLineActor } from '../../src/editors/index.ts';
import { createFeedService, createRssFetcher } from '../../src/feeds/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import {
  createConfirmationSender,
  createSignInSender,
  createSmtpTransport,
  type MailTransport,
} from '../../src/mail/index.ts';
import {
  closeRedisConnection,
  createRedisConnection,
  openTransactionalQueue,
  startTransactionalWorker,
} from '../../src/queue/index.ts';
import { createRenderer } from '../../src/render/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import type { EditorWorkspaceDeps } from '../../src/web/editor/index.ts';
import { buildApp } from '../../src/web/index.ts';
import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import {
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
} from '../helpers/campaign-fixtures.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { approveIssue } from '../helpers/review-fixtures.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const adminEmail = 'chef@example.org';

describe("the editors' workspace in Chromium", () => {
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
  let editor: EditorWorkspaceDeps;
  let deliveryConfig: Config;
  let deliveryRedis: ReturnType<typeof createRedisConnection>;
  let delivery: Awaited<ReturnType<typeof startDeliveryRuntime>>;

  beforeAll(async () => {
    const logger = createSilentLogger();
    const prefix = `{test-editor-${randomUUID().slice(0, 8)}}`;
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
    const tokens = createTokenSigner({
      keyId: 'e2e',
      secret: 'end-to-end-secret-of-32-characters!',
    });
    // the delivery workers of this process, sending campaigns to the sink
    deliveryConfig = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix(), SMTP_URL: sink.url });
    deliveryRedis = createRedisConnection(deliveryConfig.REDIS_URL);
    delivery = await startDeliveryRuntime({
      config: deliveryConfig,
      logger,
      clock: systemClock,
      database: database.handle,
      redis: deliveryRedis,
    });
    editor = createEditorWorkspaceDeps({
      db: database.handle.db,
      clock: systemClock,
      config: {
        EDITOR_SESSION_IDLE_MINUTES: 60,
        EDITOR_SESSION_MAX_HOURS: 12,
        DEPECHE_ENV: 'test',
        ISSUES_DIR: 'issues',
      },
      transactionalQueue: queue,
      printLine: () => undefined,
      campaigns: {
        delivery: delivery.delivery.service,
        reader: delivery.delivery.reader,
        audit: createAuditRepository(database.handle.db),
        clock: systemClock,
      },
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
        editor,
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    transport = createSmtpTransport({ urls: [sink.url], poolSize: 1, logger });
    const renderer = createRenderer({ templatesDir: 'templates' });
    worker = await startTransactionalWorker({
      connection: redis,
      prefix,
      logger,
      sender: createConfirmationSender({
        subscribers,
        tokens,
        renderer,
        transport,
        newsletters,
        publicUrl: base,
        clock: systemClock,
        logger,
      }),
      signInSender: createSignInSender({
        editors: createEditorRepository(database.handle.db),
        renderer,
        transport,
        sender: { name: 'AdN', email: 'adn@example.org' },
        publicUrl: base,
        clock: systemClock,
        logger,
      }),
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      bypassCSP: true,
      locale: 'fr-FR',
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await delivery?.close();
    if (deliveryRedis) await closeRedisConnection(deliveryRedis);
    if (deliveryConfig)
      await deleteRedisKeys(deliveryConfig.REDIS_URL, deliveryConfig.QUEUE_PREFIX);
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
  }

  /** The sign-in link of the newest message the sink received for `to`. */
  async function linkFor(to: string): Promise<string> {
    for (let i = 0; i < 200; i += 1) {
      const message = [...sink.messages].reverse().find((m) => m.envelope.rcptTo.includes(to));
      if (message) {
        const mail = await simpleParser(message.raw);
        const link = /(http:\/\/127\.0\.0\.1:\d+\/editor\/sign-in\/[A-Za-z0-9_-]+)/.exec(
          mail.text ?? '',
        )?.[1];
        if (link) return link;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`No sign-in mail for ${to}`);
  }

  it('signs an admin in from the mailed link; home, accounts and audit pass axe', async () => {
    await editor.accounts.add(commandLineActor('ops'), {
      email: adminEmail,
      role: 'admin',
      name: 'Chef de bureau',
    });

    await page.goto(`${base}/editor`);
    expect(new URL(page.url()).pathname).toBe('/editor/sign-in');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expectAccessible('sign-in form');
    await page.fill('#email', adminEmail);
    await Promise.all([
      page.waitForURL(`${base}/editor/sign-in`),
      page.click('main button[type=submit]'),
    ]);
    expect(await page.textContent('h1')).toBe('Vérifiez votre messagerie');

    const link = await linkFor(adminEmail);
    await page.goto(link);
    await expectAccessible('sign-in link page');
    await Promise.all([page.waitForURL(`${base}/editor`), page.click('main button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Accueil');
    expect(await page.textContent('header')).toContain('Chef de bureau');
    await expectAccessible('home');

    await Promise.all([
      page.waitForURL(`${base}/editor/accounts`),
      page.click('nav a[href="/editor/accounts"]'),
    ]);
    await expectAccessible('accounts');
    await page.fill('#invite-email', 'pub@example.org');
    await page.fill('#invite-name', 'Publication');
    await page.selectOption('#invite-role', 'publisher');
    await Promise.all([
      page.waitForURL(`${base}/editor/accounts?done=invited`),
      page.click('form[action="/editor/accounts"] button[type=submit]'),
    ]);
    expect(await page.textContent('.notice')).toContain('Compte créé');
    expect(await page.textContent('table')).toContain('pub@example.org');
    await expectAccessible('accounts after an invitation');
    await linkFor('pub@example.org');

    await Promise.all([
      page.waitForURL(`${base}/editor/audit`),
      page.click('nav a[href="/editor/audit"]'),
    ]);
    const log = await page.textContent('table');
    expect(log).toContain('editor.add');
    expect(log).toContain('editor.sign-in');
    expect(log).toContain(adminEmail);
    await expectAccessible('audit log');

    await Promise.all([
      page.waitForURL(`${base}/editor/inbox`),
      page.click('nav a[href="/editor/inbox"]'),
    ]);
    expect(await page.textContent('h1')).toBe('Boîte de réception');
    await expectAccessible('inbox');

    await Promise.all([
      page.waitForURL(`${base}/editor/account`),
      page.click('header a[href="/editor/account"]'),
    ]);
    await page.check('#locale-en');
    await Promise.all([
      page.waitForURL(`${base}/editor/account?done=locale`),
      page.click('main button[type=submit]'),
    ]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expectAccessible('own account, in English');

    await Promise.all([
      page.waitForURL(/\/editor\/sign-in/),
      page.click('header button[type=submit]'),
    ]);
    await page.goto(`${base}/editor`);
    expect(new URL(page.url()).pathname).toBe('/editor/sign-in');
    // Keyboard: the skip link comes first.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#main');
  });

  it('the invited publisher signs in from the mail, triages the inbox after a feed poll, creates a campaign for a segment, sends it and watches it reach done; the audit log shows each step; the pages pass axe', async () => {
    await seedAudience(database.handle.db, 30);
    // The sample issue was submitted and approved (the review is another page's business).
    await approveIssue(database.handle.db, 'adn/2026-11');
    // A feed poll brings candidates into the inbox: the demo's sample feed, served locally.
    const feedServer = await startFeedServer('demo/feeds', () => new Date());
    try {
      const report = await createFeedService({
        fetcher: createRssFetcher({
          timeoutMs: 5000,
          maxBytes: 1024 * 1024,
          allowPrivateAddresses: ['127.0.0.1'],
        }),
        candidates: createCandidateRepository(database.handle.db),
        health: createFeedHealthRepository(database.handle.db),
        clock: systemClock,
        logger: createSilentLogger(),
        concurrency: 1,
        feedDeadlineMs: 10_000,
      }).poll([
        {
          id: 'adn',
          feeds: [
            { url: `${feedServer.baseUrl}adn-nsf.xml`, name: 'NSF News', section: 'agences' },
          ],
        },
      ]);
      expect(report.totals.newCandidates).toBeGreaterThan(0);
    } finally {
      await feedServer.close();
    }

    // The publisher invited by the admin signs in from the link the invitation mailed.
    const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
    page = await context.newPage();
    await page.goto(await linkFor('pub@example.org'));
    await Promise.all([page.waitForURL(`${base}/editor`), page.click('main button[type=submit]')]);
    expect(await page.textContent('header')).toContain('Publication');

    // Triage: pick the first new candidate of the inbox.
    await Promise.all([
      page.waitForURL(/\/editor\/inbox/),
      page.click('nav a[href="/editor/inbox"]'),
    ]);
    await expectAccessible('inbox with candidates');
    const firstBox = page.locator('main input[type=checkbox][name="ids"]').first();
    const pickedId = await firstBox.getAttribute('value');
    await firstBox.check();
    await Promise.all([
      page.waitForURL(/\/editor\/inbox/),
      page.click('main button[name="action"][value="pick"]'),
    ]);
    await expectAccessible('inbox after a pick');

    await page.goto(`${base}/editor/campaigns`);
    await expectAccessible('campaign list');
    await Promise.all([
      page.waitForURL(/\/editor\/campaigns\/new/),
      page.click('main a[href^="/editor/campaigns/new"]'),
    ]);
    await expectAccessible('new campaign');
    await page.selectOption('#issue', 'adn/2026-11');
    await page.check('input[name="locale"][value="fr"]');
    await Promise.all([page.waitForURL(/step=review/), page.click('main button[type=submit]')]);
    // 30 readers, every fifth reads English
    expect(await page.textContent('#audience-size')).toContain('24 abonné·es');
    await expectAccessible('campaign review');
    await Promise.all([
      page.waitForURL(/\/editor\/campaigns\/\d+\?done=create/),
      page.click('form[action="/editor/campaigns"] button[type=submit]'),
    ]);
    await expectAccessible('draft campaign');
    await Promise.all([
      page.waitForURL(/done=send/),
      page.click('form[action$="/send"] button[type=submit]'),
    ]);
    // the page's script follows the progress and reloads once the campaign is done
    await page.waitForFunction(
      () => document.querySelector('[data-field="state"]')?.textContent === 'terminée',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.textContent('[data-field="sent"]')).toBe('24');
    expect(await page.textContent('[data-field="remaining"]')).toBe('0');
    await expectAccessible('campaign done');
    const campaignMail = sink.messages.filter((m) =>
      m.envelope.rcptTo.some((to) => /^user\d+@example\.org$/.test(to)),
    );
    expect(campaignMail).toHaveLength(24);
    // The audit log page shows each step with its actor.
    await page.goto(`${base}/editor/audit?actor=pub%40example.org`);
    await expectAccessible('audit log of the publisher');
    const log = (await page.textContent('table')) ?? '';
    for (const action of ['editor.sign-in', 'candidate.pick', 'campaign.create', 'campaign.send']) {
      expect(log, action).toContain(action);
    }
    expect(log).toContain('pub@example.org');
    const entries = await editor.audit.list({ actor: 'pub@example.org' });
    expect(entries.find((e) => e.action === 'candidate.pick')?.objectId).toBe(pickedId);
    expect(
      entries
        .map((e) => e.action)
        .filter((action) => action.startsWith('campaign.'))
        .sort(),
    ).toEqual(['campaign.create', 'campaign.send']);
    await context.close();
  });
});
