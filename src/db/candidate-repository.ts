import { and, asc, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';

import {
  type Candidate,
  CandidateSchema,
  type CandidateStatus,
  type NewCandidate,
} from '../feeds/index.ts';
import { type Executor, queryRows } from './client.ts';
import { feedCandidates } from './schema/index.ts';

const INSERT_CHUNK = 500;

function toJsonRow(candidate: NewCandidate) {
  return {
    newsletter_id: candidate.newsletterId,
    feed_url: candidate.feedUrl,
    source_name: candidate.sourceName,
    guid: candidate.guid,
    url: candidate.url,
    canonical_url: candidate.canonicalUrl,
    title: candidate.title,
    title_key: candidate.titleKey,
    summary: candidate.summary,
    section_id: candidate.sectionId,
    published_at: candidate.publishedAt?.toISOString() ?? null,
    first_seen_at: candidate.firstSeenAt.toISOString(),
    deadline: candidate.deadline,
  };
}

/** Filters of {@link CandidateRepository.list}. */
export interface CandidateFilter {
  newsletterId: string;
  status?: CandidateStatus | undefined;
  /** Only candidates published (or first seen, without a date) on or after this time. */
  since?: Date | undefined;
  /** @defaultValue 500 */
  limit?: number | undefined;
}

/**
 * Candidate items: the editorial inbox fed by the feeds. An item is stored once per
 * newsletter: unique indexes on canonical URL, GUID and title key make repeats no-ops.
 */
export function createCandidateRepository(db: Executor) {
  const parse = (rows: unknown[]): Candidate[] => rows.map((row) => CandidateSchema.parse(row));

  return {
    /** Stores the candidates not already known; returns how many were new. */
    async insertNew(candidates: readonly NewCandidate[]): Promise<number> {
      let inserted = 0;
      for (let start = 0; start < candidates.length; start += INSERT_CHUNK) {
        // One JSON parameter per chunk: building a 16-column multi-row VALUES list through the
        // query builder costs more CPU than the insert itself.
        const rows = candidates.slice(start, start + INSERT_CHUNK).map(toJsonRow);
        const ids = await queryRows<{ id: number }>(
          db,
          sql`INSERT INTO feed_candidates (newsletter_id, feed_url, source_name, guid, url,
                canonical_url, title, title_key, summary, section_id, published_at, first_seen_at,
                deadline)
              SELECT newsletter_id, feed_url, source_name, guid, url, canonical_url, title,
                title_key, summary, section_id, published_at, first_seen_at, deadline
              FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(newsletter_id text,
                feed_url text, source_name text, guid text, url text, canonical_url text,
                title text, title_key text, summary text, section_id text,
                published_at timestamptz, first_seen_at timestamptz, deadline date)
              ON CONFLICT DO NOTHING
              RETURNING id`,
        );
        inserted += ids.length;
      }
      return inserted;
    },

    /** Candidates of a newsletter, newest first. */
    async list(filter: CandidateFilter): Promise<Candidate[]> {
      const conditions = [eq(feedCandidates.newsletterId, filter.newsletterId)];
      if (filter.status) conditions.push(eq(feedCandidates.status, filter.status));
      if (filter.since) {
        conditions.push(
          gte(
            sql`coalesce(${feedCandidates.publishedAt}, ${feedCandidates.firstSeenAt})`,
            filter.since,
          ),
        );
      }
      const rows = await db
        .select()
        .from(feedCandidates)
        .where(and(...conditions))
        .orderBy(
          desc(sql`coalesce(${feedCandidates.publishedAt}, ${feedCandidates.firstSeenAt})`),
          desc(feedCandidates.id),
        )
        .limit(filter.limit ?? 500);
      return parse(rows);
    },

    /** The candidates with these ids (any newsletter), in id order. */
    async findByIds(ids: readonly number[]): Promise<Candidate[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select()
        .from(feedCandidates)
        .where(inArray(feedCandidates.id, [...ids]))
        .orderBy(asc(feedCandidates.id));
      return parse(rows);
    },

    /** Sets the status (and, when given, the section) of candidates; returns them updated. */
    async setStatus(
      ids: readonly number[],
      status: CandidateStatus,
      at: Date,
      sectionId?: string,
    ): Promise<Candidate[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .update(feedCandidates)
        .set({ status, statusChangedAt: at, ...(sectionId ? { sectionId } : {}) })
        .where(inArray(feedCandidates.id, [...ids]))
        .returning();
      return parse(rows).sort((a, b) => a.id - b.id);
    },

    /** Picked candidates of a newsletter not yet used in an issue, oldest first. */
    async listPickedUnused(newsletterId: string): Promise<Candidate[]> {
      const rows = await db
        .select()
        .from(feedCandidates)
        .where(
          and(
            eq(feedCandidates.newsletterId, newsletterId),
            eq(feedCandidates.status, 'picked'),
            isNull(feedCandidates.usedInIssue),
          ),
        )
        .orderBy(asc(feedCandidates.id));
      return parse(rows);
    },

    /** Marks candidates as used by an issue (`adn/2026-11`); returns how many changed. */
    async markUsed(ids: readonly number[], issueKey: string): Promise<number> {
      if (ids.length === 0) return 0;
      const rows = await db
        .update(feedCandidates)
        .set({ usedInIssue: issueKey })
        .where(and(inArray(feedCandidates.id, [...ids]), isNull(feedCandidates.usedInIssue)))
        .returning({ id: feedCandidates.id });
      return rows.length;
    },

    /** Clears the issue mark of candidates (undo of {@link markUsed} when writing failed). */
    async unmarkUsed(ids: readonly number[], issueKey: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(feedCandidates)
        .set({ usedInIssue: null })
        .where(and(inArray(feedCandidates.id, [...ids]), eq(feedCandidates.usedInIssue, issueKey)));
    },
  };
}

/** The candidate repository. */
export type CandidateRepository = ReturnType<typeof createCandidateRepository>;
