import { bigint, boolean, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// Typed mirror of migrations/0013_issue_reviews.sql.

const personKinds = ['editor', 'command-line'] as const;

export const issueReviews = pgTable('issue_reviews', {
  issueKey: text('issue_key').primaryKey(),
  state: text('state', { enum: ['draft', 'in_review', 'approved', 'sent'] }).notNull(),
  contentHash: text('content_hash'),
  lastChangedKind: text('last_changed_kind', { enum: [...personKinds, 'outside'] }),
  lastChangedEditorId: bigint('last_changed_editor_id', { mode: 'number' }),
  lastChangedName: text('last_changed_name'),
  lastChangedAt: timestamp('last_changed_at', { withTimezone: true }),
  submittedKind: text('submitted_kind', { enum: personKinds }),
  submittedEditorId: bigint('submitted_editor_id', { mode: 'number' }),
  submittedName: text('submitted_name'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }),
  approvedKind: text('approved_kind', { enum: personKinds }),
  approvedEditorId: bigint('approved_editor_id', { mode: 'number' }),
  approvedName: text('approved_name'),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
  isSelfApproved: boolean('is_self_approved').notNull().default(false),
  returnedKind: text('returned_kind', { enum: personKinds }),
  returnedEditorId: bigint('returned_editor_id', { mode: 'number' }),
  returnedName: text('returned_name'),
  returnedAt: timestamp('returned_at', { withTimezone: true }),
  reviewComment: text('review_comment'),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  sentCampaignId: bigint('sent_campaign_id', { mode: 'number' }),
  version: integer('version').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
