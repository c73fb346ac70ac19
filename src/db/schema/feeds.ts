import { bigint, date, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

// Typed mirror of migrations/0003_feeds.sql, 0004_feed_moved_to.sql and 0010_inbox.sql (its
// generated search_text is read by raw SQL only).

export const feedHealth = pgTable(
  'feed_health',
  {
    newsletterId: text('newsletter_id').notNull(),
    feedUrl: text('feed_url').notNull(),
    name: text('name').notNull(),
    etag: text('etag'),
    lastModified: text('last_modified'),
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
    lastError: text('last_error'),
    lastErrorReason: text('last_error_reason'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    itemsSeen: integer('items_seen').notNull().default(0),
    lastEntryCount: integer('last_entry_count'),
    lastNewItemAt: timestamp('last_new_item_at', { withTimezone: true }),
    newestEntryAt: timestamp('newest_entry_at', { withTimezone: true }),
    typicalGapSec: integer('typical_gap_sec'),
    movedTo: text('moved_to'),
  },
  (t) => [primaryKey({ columns: [t.newsletterId, t.feedUrl] })],
);

export const feedCandidates = pgTable('feed_candidates', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  newsletterId: text('newsletter_id').notNull(),
  feedUrl: text('feed_url').notNull(),
  sourceName: text('source_name').notNull(),
  guid: text('guid'),
  url: text('url').notNull(),
  canonicalUrl: text('canonical_url').notNull(),
  title: text('title').notNull(),
  titleKey: text('title_key').notNull(),
  summary: text('summary').notNull().default(''),
  sectionId: text('section_id'),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  deadline: date('deadline', { mode: 'string' }),
  status: text('status', { enum: ['new', 'picked', 'dismissed'] })
    .notNull()
    .default('new'),
  statusChangedAt: timestamp('status_changed_at', { withTimezone: true }),
  usedInIssue: text('used_in_issue'),
  issueTitle: text('issue_title'),
  issueSummary: text('issue_summary'),
  touchedAt: timestamp('touched_at', { withTimezone: true }),
});

export const candidateNotes = pgTable('candidate_notes', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  candidateId: bigint('candidate_id', { mode: 'number' }).notNull(),
  editorId: bigint('editor_id', { mode: 'number' }).notNull(),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
