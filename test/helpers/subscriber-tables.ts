import { sql } from 'drizzle-orm';

import type { Database } from '../../src/db/index.ts';

/** Empties the subscriber tables (and the deliveries and campaigns that point at them). */
export async function cleanSubscriberTables(db: Database): Promise<void> {
  await db.execute(
    sql`TRUNCATE subscribers, subscriptions, consent_events, suppressions, deliveries, campaigns
        RESTART IDENTITY CASCADE`,
  );
}
