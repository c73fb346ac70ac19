import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { sql } from 'drizzle-orm';

import { type Config, loadConfig } from '../../src/config/index.ts';
import { createCampaignRepository, type Database, queryRows } from '../../src/db/index.ts';
import { testSnapshot } from './campaign-fixtures.ts';

const fixturesDir = path.join(import.meta.dirname, '../fixtures/bounces');

/** The configuration of the bounce tests: a bounce address, a mailto, a fixed key. */
export function bounceTestConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DEPECHE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789-abcdefghijkl',
    BOUNCE_ADDRESS: 'bounces@news.example.org',
    UNSUBSCRIBE_MAILTO: 'unsubscribe@news.example.org',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** Empties every table the bounce tests write. */
export async function cleanBounceTables(db: Database): Promise<void> {
  await db.execute(
    sql`TRUNCATE bounce_events, deliveries, campaign_bodies, campaigns, subscriptions,
          consent_events, suppressions, subscribers RESTART IDENTITY CASCADE`,
  );
}

/** A sent delivery of a new campaign of `newsletterId` to `email` (created, active on adn and fil). */
export async function seedDelivery(
  db: Database,
  email: string,
  newsletterId = 'adn',
): Promise<{ deliveryId: number; campaignId: number; subscriberId: number; messageId: string }> {
  await db.execute(
    sql`INSERT INTO subscribers (email, email_hash)
        VALUES (${email}, encode(sha256(convert_to(lower(${email}), 'UTF8')), 'hex'))
        ON CONFLICT DO NOTHING`,
  );
  const [subscriber] = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM subscribers WHERE email = ${email}`,
  );
  const subscriberId = Number(subscriber?.id);
  await db.execute(
    sql`INSERT INTO subscriptions (subscriber_id, newsletter_id, status, confirmed_at)
        VALUES (${subscriberId}, 'adn', 'active', now()), (${subscriberId}, 'fil', 'active', now())
        ON CONFLICT DO NOTHING`,
  );
  const campaign = await createCampaignRepository().create(db, {
    ...testSnapshot(newsletterId),
    segment: {},
  });
  const messageId = `${campaign.messageKey}.s${subscriberId}@example.org`;
  const [delivery] = await queryRows<{ id: string }>(
    db,
    sql`INSERT INTO deliveries (campaign_id, subscriber_id, batch_no, status, message_id, sent_at)
        VALUES (${campaign.id}, ${subscriberId}, 0, 'sent', ${messageId}, now()) RETURNING id`,
  );
  return { deliveryId: Number(delivery?.id), campaignId: campaign.id, subscriberId, messageId };
}

/**
 * A fixture of `test/fixtures/bounces/` made to answer a real delivery: its placeholder VERP
 * address (`bounces+k1…@news.example.org`) and Message-ID (`c12.s345.x7f3a@…`) replaced by the
 * ones given; each left as written when not given.
 */
export async function bounceFixture(
  name: string,
  replace: { returnPath?: string; messageId?: string; inReplyTo?: string } = {},
): Promise<Buffer> {
  let text = await readFile(path.join(fixturesDir, name), 'latin1');
  if (replace.returnPath) {
    text = text.replace(/bounces\+k1[a-z]+@news\.example\.org/g, replace.returnPath);
  }
  if (replace.messageId) {
    text = text.replace(/c12\.s\d+\.x7f3a@news\.example\.org/g, replace.messageId);
  }
  return Buffer.from(text, 'latin1');
}
