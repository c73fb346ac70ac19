import { sql } from 'drizzle-orm';
import { z } from 'zod';

import { type Locale, LocaleSchema } from '../lib/index.ts';
import { type Executor, queryRows } from './client.ts';

/** One sent issue of a newsletter, in one language. */
export const ArchivedIssueSchema = z.object({
  newsletterId: z.string(),
  issueKey: z.string(),
  /** `YYYY-MM`, the part of the issue key after the newsletter. */
  month: z.string(),
  locale: LocaleSchema,
  subject: z.string(),
  /** The preheader, or the start of the text when there is none. */
  excerpt: z.string(),
  sentAt: z.coerce.date(),
});
/** @see ArchivedIssueSchema */
export type ArchivedIssue = z.infer<typeof ArchivedIssueSchema>;

interface ArchiveRow {
  newsletter_id: string;
  issue_key: string;
  locale: string;
  subject: string;
  preheader: string;
  text_start: string;
  sent_at: Date | string;
}

function toIssue(row: ArchiveRow): ArchivedIssue {
  const excerpt = row.preheader.trim() !== '' ? row.preheader : row.text_start.replace(/\s+/g, ' ');
  return ArchivedIssueSchema.parse({
    newsletterId: row.newsletter_id,
    issueKey: row.issue_key,
    month: row.issue_key.slice(row.issue_key.lastIndexOf('/') + 1),
    locale: row.locale,
    subject: row.subject,
    excerpt: excerpt.trim().slice(0, 300),
    sentAt: row.sent_at,
  });
}

/** `%` and `_` are literal in a search, not patterns. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Read-only queries of the public archive: the issues of a newsletter that went out (a campaign
 * `sending` or `done`), one row per issue in the wanted language (else the other one), newest
 * first. A re-sent issue appears once, with its latest campaign.
 */
export function createArchiveRepository(db: Executor) {
  const sent = (newsletterId: string, locale: string, filter: ReturnType<typeof sql>) => sql`
    SELECT DISTINCT ON (c.issue_key)
      c.newsletter_id, c.issue_key, b.locale, b.subject, b.preheader,
      left(b.text, 600) AS text_start, COALESCE(c.started_at, c.created_at) AS sent_at
    FROM campaigns c JOIN campaign_bodies b ON b.campaign_id = c.id
    WHERE c.newsletter_id = ${newsletterId} AND c.status IN ('sending', 'done') AND ${filter}
    ORDER BY c.issue_key, (b.locale = ${locale}) DESC, c.id DESC`;

  return {
    /**
     * Sent issues, newest first. `search` matches subject, preheader or text, ignoring case and
     * accents: `search_text`, their `search_fold` computed when the body was written (migrations
     * 0005 and 0007: "evenement" finds « Événement »).
     */
    async listSent(query: {
      newsletterId: string;
      locale: Locale;
      search?: string | undefined;
      limit: number;
    }): Promise<ArchivedIssue[]> {
      const filter =
        query.search === undefined || query.search === ''
          ? sql`true`
          : sql`b.search_text LIKE search_fold(${likePattern(query.search)})`;
      const rows = await queryRows<ArchiveRow>(
        db,
        sql`SELECT * FROM (${sent(query.newsletterId, query.locale, filter)}) s ORDER BY sent_at DESC, issue_key DESC LIMIT ${query.limit}`,
      );
      return rows.map(toIssue);
    },

    /** One sent issue with its HTML and text (placeholders still in), or null. */
    async findSent(query: {
      newsletterId: string;
      month: string;
      locale: Locale;
    }): Promise<(ArchivedIssue & { html: string; text: string }) | null> {
      const issueKey = `${query.newsletterId}/${query.month}`;
      const [row] = await queryRows<ArchiveRow & { html: string; text: string }>(
        db,
        sql`SELECT DISTINCT ON (c.issue_key)
              c.newsletter_id, c.issue_key, b.locale, b.subject, b.preheader,
              left(b.text, 600) AS text_start, COALESCE(c.started_at, c.created_at) AS sent_at,
              b.html, b.text
            FROM campaigns c JOIN campaign_bodies b ON b.campaign_id = c.id
            WHERE c.newsletter_id = ${query.newsletterId} AND c.issue_key = ${issueKey}
              AND c.status IN ('sending', 'done')
            ORDER BY c.issue_key, (b.locale = ${query.locale}) DESC, c.id DESC`,
      );
      return row ? { ...toIssue(row), html: row.html, text: row.text } : null;
    },
  };
}

/** The archive queries; see {@link createArchiveRepository}. */
export type ArchiveRepository = ReturnType<typeof createArchiveRepository>;
