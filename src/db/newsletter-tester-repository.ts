import { sql } from 'drizzle-orm';

import {
  MAX_TESTERS_PER_NEWSLETTER,
  type NewAuditEntry,
  type NewsletterTester,
  NewsletterTesterSchema,
  type TesterStore,
} from '../editors/index.ts';
import { createAuditRepository } from './audit-repository.ts';
import { type Executor, queryRows } from './client.ts';

interface RawTester {
  newsletter_id: string;
  email: string;
  added_by: number | string | null;
  added_at: Date | string;
}

function toTester(row: RawTester): NewsletterTester {
  return NewsletterTesterSchema.parse({
    newsletterId: row.newsletter_id,
    email: row.email,
    addedBy: row.added_by === null ? null : Number(row.added_by),
    addedAt: new Date(row.added_at),
  });
}

/**
 * Data access of `newsletter_testers`, the addresses that get a newsletter's test copies;
 * implements the editors' {@link TesterStore}: each change and its audit entry in one
 * transaction.
 */
export function createNewsletterTesterRepository(db: Executor) {
  return {
    async list(newsletterId: string): Promise<NewsletterTester[]> {
      const rows = await queryRows<RawTester>(
        db,
        sql`SELECT * FROM newsletter_testers WHERE newsletter_id = ${newsletterId}
            ORDER BY email`,
      );
      return rows.map(toTester);
    },

    async add(
      tester: { newsletterId: string; email: string; addedBy: number | null },
      audit: NewAuditEntry,
      now: Date,
    ): Promise<'added' | 'exists' | 'full'> {
      return db.transaction(async (tx) => {
        // One statement: taken or full, nothing is inserted.
        const inserted = await queryRows<{ email: string }>(
          tx,
          sql`INSERT INTO newsletter_testers (newsletter_id, email, added_by, added_at)
              SELECT ${tester.newsletterId}, ${tester.email}, ${tester.addedBy},
                     ${now.toISOString()}::timestamptz
              WHERE (SELECT count(*) FROM newsletter_testers
                     WHERE newsletter_id = ${tester.newsletterId}) < ${MAX_TESTERS_PER_NEWSLETTER}
              ON CONFLICT (newsletter_id, email) DO NOTHING
              RETURNING email`,
        );
        if (inserted.length === 0) {
          const [found] = await queryRows<{ email: string }>(
            tx,
            sql`SELECT email FROM newsletter_testers
                WHERE newsletter_id = ${tester.newsletterId} AND email = ${tester.email}`,
          );
          return found ? 'exists' : 'full';
        }
        await createAuditRepository(tx).append(audit, now);
        return 'added';
      });
    },

    async remove(
      tester: { newsletterId: string; email: string },
      audit: NewAuditEntry,
      now: Date,
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const removed = await queryRows<{ email: string }>(
          tx,
          sql`DELETE FROM newsletter_testers
              WHERE newsletter_id = ${tester.newsletterId} AND email = ${tester.email}
              RETURNING email`,
        );
        if (removed.length === 0) return false;
        await createAuditRepository(tx).append(audit, now);
        return true;
      });
    },
  } satisfies TesterStore;
}

/** See {@link createNewsletterTesterRepository}. */
export type NewsletterTesterRepository = ReturnType<typeof createNewsletterTesterRepository>;
