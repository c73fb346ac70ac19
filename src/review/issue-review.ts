import { z } from 'zod';

import { type AuditActor, AuditActorSchema } from '../editors/index.ts';

/**
 * The review state an issue is stored in: `draft` (being written, or sent back), `in_review`
 * (submitted, waiting for a publisher), `approved` (this exact content may become a campaign),
 * `sent` (a campaign of it started sending). A campaign created from an approved issue leaves it
 * `approved`; it becomes `sent` when one of its campaigns starts sending.
 */
export const ReviewStateSchema = z.enum(['draft', 'in_review', 'approved', 'sent']);
export type ReviewState = z.infer<typeof ReviewStateSchema>;

/** How the last change of an issue file made outside the workspace reads: its author is unknown. */
export const OUTSIDE_THE_WORKSPACE = 'outside the workspace';

/**
 * Who changed an issue's content last: a signed-in editor, an operator at the command line, or
 * nobody known (a `git pull`, a text editor: the file's hash changed without a recorded save).
 */
export const ContentAuthorSchema = z.union([
  AuditActorSchema,
  z.object({ kind: z.literal('outside'), name: z.literal(OUTSIDE_THE_WORKSPACE) }),
]);
export type ContentAuthor = z.infer<typeof ContentAuthorSchema>;

/** The author of a change made outside the workspace. */
export const outsideAuthor: ContentAuthor = { kind: 'outside', name: OUTSIDE_THE_WORKSPACE };

/** An issue key, `<newsletter>/<YYYY-MM>` (`adn/2026-11`). */
export const IssueKeySchema = z
  .string()
  .trim()
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\/\d{4}-(?:0[1-9]|1[0-2])$/, {
    error: 'expected an issue key such as adn/2026-11',
  });

/** The content hash of an issue file, as the content module computes it. */
export const ContentHashSchema = z
  .string()
  .trim()
  .min(8, 'expected a content hash')
  .max(128, 'expected a content hash of at most 128 characters');

/** A reviewer's comment when sending an issue back. */
export const ReviewCommentSchema = z
  .string()
  .trim()
  .min(1, 'a comment saying what to change is required')
  .max(2000, 'the comment is longer than 2000 characters');

/**
 * The stored review of one issue. `contentHash` is the content the state refers to: when the
 * file's current hash differs, the issue is a draft again (see `effectiveReview`). Null only for
 * an issue marked sent before any save or submission recorded its hash.
 */
export const IssueReviewSchema = z.object({
  issueKey: IssueKeySchema,
  state: ReviewStateSchema,
  contentHash: z.string().nullable(),
  lastChangedBy: ContentAuthorSchema.nullable(),
  lastChangedAt: z.date().nullable(),
  submittedBy: AuditActorSchema.nullable(),
  submittedAt: z.date().nullable(),
  approvedBy: AuditActorSchema.nullable(),
  approvedAt: z.date().nullable(),
  /** Approved by its last changer, allowed because REVIEW_REQUIRE_OTHER_APPROVER=false. */
  isSelfApproved: z.boolean(),
  returnedBy: AuditActorSchema.nullable(),
  returnedAt: z.date().nullable(),
  /** The comment of the last send-back; cleared when the issue is submitted again. */
  comment: z.string().nullable(),
  sentAt: z.date().nullable(),
  sentCampaignId: z.number().int().positive().nullable(),
  /** Incremented at every stored change (optimistic concurrency). */
  version: z.number().int().nonnegative(),
  updatedAt: z.date(),
});
export type IssueReview = z.infer<typeof IssueReviewSchema>;

/** The review of an issue nothing was recorded for yet: a draft of unknown authorship. */
export function newIssueReview(issueKey: string, now: Date): IssueReview {
  return {
    issueKey,
    state: 'draft',
    contentHash: null,
    lastChangedBy: null,
    lastChangedAt: null,
    submittedBy: null,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    isSelfApproved: false,
    returnedBy: null,
    returnedAt: null,
    comment: null,
    sentAt: null,
    sentCampaignId: null,
    version: 0,
    updatedAt: now,
  };
}

/** Whether two actors are the same person as far as the system can tell. */
export function isSameActor(a: ContentAuthor, b: ContentAuthor): boolean {
  if (a.kind === 'outside' || b.kind === 'outside') return false;
  if (a.kind === 'editor' && b.kind === 'editor') return a.editorId === b.editorId;
  return a.kind === 'command-line' && b.kind === 'command-line' && a.name === b.name;
}

/** How an author reads in messages: an editor's address, "command line (user)", or outside. */
export function describeAuthor(author: ContentAuthor): string {
  if (author.kind === 'outside') return OUTSIDE_THE_WORKSPACE;
  if (author.kind === 'editor') return author.name;
  return `command line (${author.name})`;
}

/** The actor part of an author, for audit entries (outside has none). */
export function asAuditActor(author: ContentAuthor | null): AuditActor | null {
  return author === null || author.kind === 'outside' ? null : author;
}
