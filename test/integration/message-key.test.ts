import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/index.ts';
import { createTestCampaign } from '../helpers/campaign-fixtures.ts';
import { openTestPglite } from '../helpers/databases.ts';

describe('campaign message keys', () => {
  it('differ between two fresh databases, so Message-IDs never repeat after a reset', async () => {
    const first = await openTestPglite();
    const second = await openTestPglite();
    try {
      const a = await createTestCampaign(first.handle.db);
      const b = await createTestCampaign(second.handle.db);
      // both databases give the same ids: only the key tells their Message-IDs apart
      expect(a.id).toBe(b.id);
      expect(a.messageKey).toMatch(/^[0-9a-f]{20}$/);
      expect(b.messageKey).not.toBe(a.messageKey);
    } finally {
      await first.drop();
      await second.drop();
    }
  });

  it('are filled for rows written without one (campaigns made before migration 0009)', async () => {
    const database = await openTestPglite();
    try {
      await database.handle.db.execute(
        sql`INSERT INTO campaigns (newsletter_id, issue_key, content_hash)
            VALUES ('adn', 'adn/2026-10', 'h1'), ('adn', 'adn/2026-11', 'h2')`,
      );
      const rows = await queryRows<{ message_key: string }>(
        database.handle.db,
        sql`SELECT message_key FROM campaigns`,
      );
      expect(rows.every((row) => /^[0-9a-f]{32}$/.test(row.message_key))).toBe(true);
      expect(new Set(rows.map((row) => row.message_key)).size).toBe(2);
    } finally {
      await database.drop();
    }
  });
});
