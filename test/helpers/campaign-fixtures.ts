import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';

import { type Campaign, contentHashOf, type IssueSnapshot } from '../../src/campaigns/index.ts';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { createCampaignRepository, type Database } from '../../src/db/index.ts';
import { createRedisClient, deleteKeysUnder } from '../../src/queue/index.ts';

/** A unique queue prefix (a Redis Cluster hash tag) for one test. */
export function testQueuePrefix(): string {
  return `{t-${randomUUID().slice(0, 8)}}`;
}

/** A configuration for delivery tests: fast retries, a high rate, the given sink and prefix. */
export function deliveryTestConfig(overrides: Record<string, string>): Config {
  return loadConfig({
    DEPECHE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789-abcdefghijkl',
    PUBLIC_URL: 'https://news.example.org',
    SEND_RATE_PER_SECOND: '100000',
    SEND_RATE_PER_HOUR: '100000000',
    SEND_RETRY_DELAY_MS: '50',
    SEND_ATTEMPTS: '10',
    SEND_BATCH_SIZE: '50',
    SEND_CONCURRENCY: '4',
    SMTP_POOL_SIZE: '4',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** Deletes every Redis key under `prefix` (on every master of a Redis Cluster). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedisClient(redisUrl, { role: 'worker', name: 'depeche-test-cleanup' });
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * Inserts `count` subscribers `user<n>@example.org` with an active subscription to
 * `newsletterId`; every fifth one reads English.
 */
export async function seedAudience(db: Database, count: number, newsletterId = 'adn') {
  await db.execute(sql`
    INSERT INTO subscribers (email, email_hash, name, locale, country)
    SELECT 'user' || n || '@example.org',
           encode(sha256(convert_to('user' || n || '@example.org', 'UTF8')), 'hex'),
           'Reader ' || n, CASE WHEN n % 5 = 0 THEN 'en' ELSE 'fr' END,
           CASE WHEN n % 2 = 0 THEN 'US' ELSE 'MX' END
    FROM generate_series(1, ${count}) AS n`);
  await db.execute(sql`
    INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
    SELECT id, ${newsletterId}, 'active', now() FROM subscribers`);
}

/** Empties the tables the delivery tests use. */
export async function truncateDeliveryTables(db: Database) {
  await db.execute(
    sql`TRUNCATE deliveries, campaign_bodies, campaigns, subscriptions, consent_events, suppressions, subscribers RESTART IDENTITY CASCADE`,
  );
}

/** A small rendered snapshot with every placeholder, in French and English. */
export function testSnapshot(newsletterId = 'adn'): IssueSnapshot {
  const bodies = (['fr', 'en'] as const).map((locale) => ({
    locale,
    subject: locale === 'fr' ? 'AdN n° 12 — novembre 2026' : 'AdN #12 — November 2026',
    preheader: 'Science policy',
    html: `<html><body><p>%%greeting%%</p><p>${'Nouvelles. '.repeat(200)}</p><a href="%%view_online_url%%">web</a> <a href="%%preferences_url%%">prefs</a> <a href="%%unsubscribe_url%%">unsub</a></body></html>`,
    text: `%%greeting%%\n\nNouvelles.\n\nUnsubscribe: %%unsubscribe_url%%\n`,
  }));
  return {
    newsletterId,
    issueKey: `${newsletterId}/2026-11`,
    newsletter: {
      id: newsletterId,
      title: 'AdN',
      sender: { name: 'AdN', email: 'adn@example.org' },
      reply_to: { email: 'contact@example.org' },
    },
    bodies,
    contentHash: contentHashOf(bodies),
  };
}

/** Stores a draft campaign of {@link testSnapshot} (no rendering). */
export async function createTestCampaign(db: Database, segment = {}): Promise<Campaign> {
  return createCampaignRepository().create(db, { ...testSnapshot(), segment });
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
