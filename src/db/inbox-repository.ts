import { and, asc, desc, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';

import type {
  CandidateNote,
  CandidatePatch,
  InboxCandidate,
  InboxState,
  InboxStore,
  InboxStoreQuery,
  InboxTransaction,
} from '../compose/index.ts';
import { type Candidate, CandidateSchema } from '../feeds/index.ts';
import { createAuditRepository } from './audit-repository.ts';
import { type Executor, queryRows } from './client.ts';
import { feedCandidates as c } from './schema/index.ts';

/** `%` and `_` are literal in a search, not patterns. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

const publishedOrSeen = sql`coalesce(${c.publishedAt}, ${c.firstSeenAt})`;
const lastActivity = sql`coalesce(${c.touchedAt}, ${c.firstSeenAt})`;

function stateCondition(query: InboxStoreQuery): SQL | undefined {
  const cutoff = query.newCutoff.toISOString();
  switch (query.state) {
    case 'new':
      return sql`${c.status} = 'new' AND ${lastActivity} >= ${cutoff}::timestamptz`;
    case 'aged':
      return sql`${c.status} = 'new' AND ${lastActivity} < ${cutoff}::timestamptz`;
    case 'picked':
    case 'dismissed':
      return eq(c.status, query.state);
    case 'all':
      return undefined;
  }
}

function conditionsOf(query: InboxStoreQuery): SQL | undefined {
  const conditions: (SQL | undefined)[] = [eq(c.newsletterId, query.newsletterId)];
  conditions.push(stateCondition(query));
  if (query.firstSeenAfter) conditions.push(gt(c.firstSeenAt, query.firstSeenAfter));
  if (query.id !== undefined) conditions.push(eq(c.id, query.id));
  if (query.section) conditions.push(eq(c.sectionId, query.section));
  if (query.feed) conditions.push(eq(c.feedUrl, query.feed));
  if (query.deadlineBefore) conditions.push(lte(c.deadline, query.deadlineBefore));
  if (query.q) {
    conditions.push(sql`search_text LIKE search_fold(${likePattern(query.q)})`);
  }
  return and(...conditions);
}

interface RawNote {
  id: number | string;
  candidate_id: number | string;
  editor_id: number | string;
  author: string;
  body: string;
  created_at: Date | string;
}

function toNote(row: RawNote): CandidateNote {
  return {
    id: Number(row.id),
    candidateId: Number(row.candidate_id),
    editorId: Number(row.editor_id),
    author: row.author,
    text: row.body,
    createdAt: new Date(row.created_at),
  };
}

/** A stored candidate with what the inbox adds to it. */
function toInboxCandidate(
  row: typeof c.$inferSelect & { state: string },
): Omit<InboxCandidate, 'notes'> {
  const candidate = CandidateSchema.parse(row);
  return {
    ...candidate,
    issueTitle: row.issueTitle,
    issueSummary: row.issueSummary,
    touchedAt: row.touchedAt,
    state: row.state as InboxState,
  };
}

function transactionOf(tx: Executor): InboxTransaction {
  return {
    async lockCandidates(ids: readonly number[]): Promise<Candidate[]> {
      if (ids.length === 0) return [];
      const rows = await tx
        .select()
        .from(c)
        .where(inArray(c.id, [...ids]))
        .orderBy(asc(c.id))
        .for('update');
      return rows.map((row) => CandidateSchema.parse(row));
    },

    async updateCandidates(ids: readonly number[], patch: CandidatePatch, at: Date) {
      if (ids.length === 0) return;
      await tx
        .update(c)
        .set({
          touchedAt: at,
          ...(patch.status ? { status: patch.status, statusChangedAt: at } : {}),
          ...(patch.sectionId ? { sectionId: patch.sectionId } : {}),
          ...(patch.issueTitle !== undefined ? { issueTitle: patch.issueTitle } : {}),
          ...(patch.issueSummary !== undefined ? { issueSummary: patch.issueSummary } : {}),
        })
        .where(inArray(c.id, [...ids]));
    },

    async addNote(note) {
      const rows = await queryRows<RawNote>(
        tx,
        sql`WITH inserted AS (
              INSERT INTO candidate_notes (candidate_id, editor_id, body, created_at)
              VALUES (${note.candidateId}, ${note.editorId}, ${note.text}, ${note.at.toISOString()}::timestamptz)
              RETURNING *)
            SELECT i.*, coalesce(nullif(e.name, ''), e.email) AS author
            FROM inserted i JOIN editors e ON e.id = i.editor_id`,
      );
      return toNote(rows[0] as RawNote);
    },

    audit: createAuditRepository(tx),
  };
}

/**
 * The editors' inbox over `feed_candidates` and `candidate_notes` (migration 0010): the page
 * query with its filters (the free text through the folded `search_text`), the count, and the
 * triage writes in one transaction with their audit entries. Implements `InboxStore`.
 */
export function createInboxRepository(db: Executor) {
  async function countOf(where: SQL | undefined): Promise<number> {
    const [count] = await db
      .select({ total: sql<number | string>`count(*)` })
      .from(c)
      .where(where);
    return Number(count?.total ?? 0);
  }

  return {
    async lastSentAt(newsletterId: string): Promise<Date | null> {
      const [row] = await queryRows<{ at: Date | string | null }>(
        db,
        sql`SELECT max(coalesce(started_at, created_at)) AS at FROM campaigns
            WHERE newsletter_id = ${newsletterId} AND status IN ('sending', 'done')`,
      );
      return row?.at ? new Date(row.at) : null;
    },

    async page(query: InboxStoreQuery) {
      const where = conditionsOf(query);
      const cutoff = query.newCutoff.toISOString();
      const order =
        query.sort === 'deadline'
          ? [sql`${c.deadline} ASC NULLS LAST`, asc(c.id)]
          : [desc(publishedOrSeen), desc(c.id)];
      const state = sql<string>`CASE WHEN ${c.status} = 'new' AND ${lastActivity} < ${cutoff}::timestamptz
                                  THEN 'aged' ELSE ${c.status} END`;
      if (query.q) {
        // The free text reads every candidate of the newsletter: count them in the same scan.
        const rows = await db
          .select({ row: c, state, total: sql<number | string>`count(*) OVER ()` })
          .from(c)
          .where(where)
          .orderBy(...order)
          .limit(query.limit)
          .offset(query.offset);
        const total =
          rows.length > 0 || query.offset === 0
            ? Number(rows[0]?.total ?? 0)
            : await countOf(where);
        return {
          items: rows.map(({ row, state }) => toInboxCandidate({ ...row, state })),
          total,
        };
      }
      // Otherwise the page comes from an index in its order, and the count from the index alone.
      const rows = await db
        .select({ row: c, state })
        .from(c)
        .where(where)
        .orderBy(...order)
        .limit(query.limit)
        .offset(query.offset);
      return {
        items: rows.map(({ row, state }) => toInboxCandidate({ ...row, state })),
        total: await countOf(where),
      };
    },

    async notesOf(candidateIds: readonly number[]): Promise<CandidateNote[]> {
      if (candidateIds.length === 0) return [];
      const rows = await queryRows<RawNote>(
        db,
        sql`SELECT n.*, coalesce(nullif(e.name, ''), e.email) AS author
            FROM candidate_notes n JOIN editors e ON e.id = n.editor_id
            WHERE n.candidate_id IN (${sql.join(
              candidateIds.map((id) => sql`${id}`),
              sql`, `,
            )})
            ORDER BY n.candidate_id, n.created_at, n.id`,
      );
      return rows.map(toNote);
    },

    inTransaction<T>(work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
      return db.transaction((tx) => work(transactionOf(tx)));
    },
  } satisfies InboxStore;
}

/** The inbox repository. */
export type InboxRepository = ReturnType<typeof createInboxRepository>;
