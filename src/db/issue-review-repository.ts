import { and, eq, inArray } from 'drizzle-orm';

import type { AuditActor } from '../editors/index.ts';
import {
  type ContentAuthor,
  type IssueReview,
  IssueReviewSchema,
  type IssueReviewStore,
  outsideAuthor,
} from '../review/index.ts';
import type { Executor } from './client.ts';
import { issueReviews } from './schema/index.ts';

type Row = typeof issueReviews.$inferSelect;
type PersonKind = 'editor' | 'command-line';

function person(
  kind: string | null,
  editorId: number | null,
  name: string | null,
): AuditActor | null {
  if (kind === 'editor') return { kind, editorId: Number(editorId), name: name ?? '' };
  if (kind === 'command-line') return { kind, name: name ?? '' };
  return null;
}

function author(kind: string | null, editorId: number | null, name: string | null) {
  return kind === 'outside' ? outsideAuthor : person(kind, editorId, name);
}

/** A person's three columns. */
function columns<K extends string>(who: ContentAuthor | null) {
  return {
    kind: (who?.kind ?? null) as K | null,
    editorId: who?.kind === 'editor' ? who.editorId : null,
    name: who?.name ?? null,
  };
}

function toReview(row: Row): IssueReview {
  return IssueReviewSchema.parse({
    issueKey: row.issueKey,
    state: row.state,
    contentHash: row.contentHash,
    lastChangedBy: author(row.lastChangedKind, row.lastChangedEditorId, row.lastChangedName),
    lastChangedAt: row.lastChangedAt,
    submittedBy: person(row.submittedKind, row.submittedEditorId, row.submittedName),
    submittedAt: row.submittedAt,
    approvedBy: person(row.approvedKind, row.approvedEditorId, row.approvedName),
    approvedAt: row.approvedAt,
    isSelfApproved: row.isSelfApproved,
    returnedBy: person(row.returnedKind, row.returnedEditorId, row.returnedName),
    returnedAt: row.returnedAt,
    comment: row.reviewComment,
    sentAt: row.sentAt,
    sentCampaignId: row.sentCampaignId,
    version: row.version,
    updatedAt: row.updatedAt,
  });
}

function toRow(review: IssueReview): Row {
  const last = columns<PersonKind | 'outside'>(review.lastChangedBy);
  const submitted = columns<PersonKind>(review.submittedBy);
  const approved = columns<PersonKind>(review.approvedBy);
  const returned = columns<PersonKind>(review.returnedBy);
  return {
    issueKey: review.issueKey,
    state: review.state,
    contentHash: review.contentHash,
    lastChangedKind: last.kind,
    lastChangedEditorId: last.editorId,
    lastChangedName: last.name,
    lastChangedAt: review.lastChangedAt,
    submittedKind: submitted.kind,
    submittedEditorId: submitted.editorId,
    submittedName: submitted.name,
    submittedAt: review.submittedAt,
    approvedKind: approved.kind,
    approvedEditorId: approved.editorId,
    approvedName: approved.name,
    approvedAt: review.approvedAt,
    isSelfApproved: review.isSelfApproved,
    returnedKind: returned.kind,
    returnedEditorId: returned.editorId,
    returnedName: returned.name,
    returnedAt: review.returnedAt,
    reviewComment: review.comment,
    sentAt: review.sentAt,
    sentCampaignId: review.sentCampaignId,
    version: review.version,
    updatedAt: review.updatedAt,
  };
}

/**
 * Data access of `issue_reviews`, one row per issue key, written with a version check so two
 * transitions at once never both apply. Implements the review domain's {@link IssueReviewStore}.
 */
export function createIssueReviewRepository(db: Executor) {
  return {
    async find(issueKey: string): Promise<IssueReview | null> {
      const [row] = await db.select().from(issueReviews).where(eq(issueReviews.issueKey, issueKey));
      return row ? toReview(row) : null;
    },

    async findMany(issueKeys: readonly string[]): Promise<IssueReview[]> {
      if (issueKeys.length === 0) return [];
      const rows = await db
        .select()
        .from(issueReviews)
        .where(inArray(issueReviews.issueKey, [...issueKeys]));
      return rows.map(toReview);
    },

    async save(review: IssueReview, expectedVersion: number): Promise<boolean> {
      const row = toRow(review);
      if (expectedVersion === 0) {
        const inserted = await db
          .insert(issueReviews)
          .values(row)
          .onConflictDoNothing({ target: issueReviews.issueKey })
          .returning({ issueKey: issueReviews.issueKey });
        return inserted.length === 1;
      }
      const { issueKey: _key, ...changes } = row;
      const updated = await db
        .update(issueReviews)
        .set(changes)
        .where(
          and(
            eq(issueReviews.issueKey, review.issueKey),
            eq(issueReviews.version, expectedVersion),
          ),
        )
        .returning({ issueKey: issueReviews.issueKey });
      return updated.length === 1;
    },
  } satisfies IssueReviewStore;
}

/** See {@link createIssueReviewRepository}. */
export type IssueReviewRepository = ReturnType<typeof createIssueReviewRepository>;
