import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

// Typed mirror of migrations/0002_campaigns.sql and 0009_bounces.sql.

export const campaigns = pgTable('campaigns', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  newsletterId: text('newsletter_id').notNull(),
  issueKey: text('issue_key').notNull(),
  status: text('status', {
    enum: ['draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled'],
  })
    .notNull()
    .default('draft'),
  segment: jsonb('segment').$type<Record<string, unknown>>().notNull().default({}),
  newsletter: jsonb('newsletter').$type<Record<string, unknown>>().notNull().default({}),
  contentHash: text('content_hash').notNull(),
  scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  statusReason: text('status_reason'),
  lastSubscriberId: bigint('last_subscriber_id', { mode: 'number' }).notNull().default(0),
  nextBatchNo: integer('next_batch_no').notNull().default(0),
  isFanoutDone: boolean('is_fanout_done').notNull().default(false),
  recipientCount: integer('recipient_count').notNull().default(0),
  sentCount: integer('sent_count').notNull().default(0),
  failedCount: integer('failed_count').notNull().default(0),
  messageKey: text('message_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const campaignBodies = pgTable(
  'campaign_bodies',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    locale: text('locale', { enum: ['fr', 'en'] }).notNull(),
    subject: text('subject').notNull(),
    preheader: text('preheader').notNull().default(''),
    html: text('html').notNull(),
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.locale] })],
);

export const deliveries = pgTable('deliveries', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  // No foreign keys (see the migration): triggers detach and cascade on delete.
  campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
  subscriberId: bigint('subscriber_id', { mode: 'number' }),
  batchNo: integer('batch_no').notNull(),
  status: text('status', {
    enum: ['queued', 'sending', 'sent', 'failed', 'uncertain', 'skipped'],
  })
    .notNull()
    .default('queued'),
  attempts: integer('attempts').notNull().default(0),
  smtpResponse: text('smtp_response'),
  messageId: text('message_id'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  bounceType: text('bounce_type', { enum: ['bounce', 'complaint'] }),
  bounceClass: text('bounce_class', { enum: ['hard', 'soft', 'policy', 'unknown'] }),
  bounceStatus: text('bounce_status'),
  bounceDiagnostic: text('bounce_diagnostic'),
  bouncedAt: timestamp('bounced_at', { withTimezone: true }),
});
