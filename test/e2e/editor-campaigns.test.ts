import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildDelivery, type Delivery } from '../../src/app/build-delivery.ts';
import type { Config } from '../../src/config/index.ts';
import { createAuditRepository } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import { closeRedisConnection, createRedisConnection } from '../../src/queue/index.ts';
import { launchChromium, seriousAccessibilityViolations } from '../helpers/browser.ts';
import {
  createTestCampaign,
  deleteRedisKeys,
  deliveryTestConfig,
  seedAudience,
  testQueuePrefix,
} from '../helpers/campaign-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';
import { type EditorBrowser, signedInEditor } from '../helpers/editor-session.ts';
import { buildTestWebApp } from '../helpers/web-app.ts';

/** The campaign pages in Chromium: the live progress under the page's CSP, and axe. */
describe('workspace campaign pages in Chromium', () => {
  let database: TestDatabase;
  let config: Config;
  let redis: ReturnType<typeof createRedisConnection>;
  let delivery: Delivery;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let publisher: EditorBrowser;
  let campaignId: number;

  beforeAll(async () => {
    database = await openTestPostgres();
    config = deliveryTestConfig({ QUEUE_PREFIX: testQueuePrefix() });
    redis = createRedisConnection(config.REDIS_URL);
    delivery = buildDelivery({
      config,
      logger: createSilentLogger(),
      clock: systemClock,
      database: database.handle,
      redis,
    });
    const web = await buildTestWebApp({
      database: database.handle,
      editor: {
        issuesDir: config.ISSUES_DIR,
        campaigns: {
          delivery: delivery.service,
          reader: delivery.reader,
          audit: createAuditRepository(database.handle.db),
          clock: systemClock,
        },
      },
    });
    app = web.app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    publisher = await signedInEditor(web.editor!, 'pub@example.org', 'publisher');
    await seedAudience(database.handle.db, 40);
    campaignId = (await createTestCampaign(database.handle.db)).id;
    await database.handle.db.execute(sql`UPDATE campaigns SET status = 'sending',
      is_fanout_done = true, started_at = now() WHERE id = ${campaignId}`);
    await database.handle.db.execute(sql`
      INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, smtp_response)
      SELECT ${campaignId}, id, 0, CASE WHEN id <= 10 THEN 'sent' WHEN id <= 12 THEN 'failed'
                                        ELSE 'queued' END,
             CASE WHEN id > 10 AND id <= 12 THEN '550 5.1.1 unknown user' END
      FROM subscribers`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
    await delivery.close();
    await closeRedisConnection(redis);
    await deleteRedisKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    await database.drop();
  });

  async function signedInContext(options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP: options.bypassCSP ?? false });
    await context.addCookies(
      Object.entries(publisher.cookies).map(([name, value]) => ({
        name,
        value,
        url: `${base}/editor`,
      })),
    );
    return context;
  }

  it('refreshes the progress without reloading, its script allowed by the page CSP', async () => {
    const context = await signedInContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${base}/editor/campaigns/${campaignId}`);
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });
    expect(await page.textContent('[data-field="sent"]')).toBe('10');
    await database.handle.db.execute(sql`UPDATE deliveries SET status = 'sent', updated_at = now()
      WHERE campaign_id = ${campaignId} AND subscriber_id BETWEEN 13 AND 30`);
    await page.waitForFunction(
      () => document.querySelector('[data-field="sent"]')?.textContent === '28',
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.textContent('[data-field="remaining"]')).toBe('10');
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page',
    );
    // the campaign ends: the page reloads once to show the buttons of its new state
    await database.handle.db.execute(sql`UPDATE deliveries SET status = 'sent'
      WHERE campaign_id = ${campaignId} AND status = 'queued'`);
    await database.handle.db.execute(
      sql`UPDATE campaigns SET status = 'done', finished_at = now() WHERE id = ${campaignId}`,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-field="state"]')?.textContent === 'terminée',
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.locator('button', { hasText: 'Renvoyer les 2 échecs' }).count()).toBe(1);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('has no serious or critical accessibility violation on the campaign pages', async () => {
    const context = await signedInContext({ bypassCSP: true });
    const page = await context.newPage();
    const urls = [
      '/editor/campaigns',
      '/editor/campaigns/new?newsletter=adn',
      '/editor/campaigns/new?newsletter=adn&issue=adn%2F2026-11&locale=fr&step=review',
      `/editor/campaigns/${campaignId}`,
    ];
    for (const url of urls) {
      const response = await page.goto(`${base}${url}`);
      expect(response?.status(), url).toBe(200);
      expect(await seriousAccessibilityViolations(page), url).toEqual([]);
    }
    // keyboard: the first form control of the creation page takes the focus by Tab
    await page.goto(`${base}/editor/campaigns/new?newsletter=adn`);
    await page.focus('#newsletter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('issue');
    await context.close();
  });
});
