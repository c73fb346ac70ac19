import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Typed mirror of migrations/0001_subscribers.sql and 0006_email_hash_byte_order.sql (email_hash
// and the unique index on lower(email) in the "C" collation); the SQL files are the source of
// the schema.

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const subscribers = pgTable(
  'subscribers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    email: text('email').notNull(),
    emailHash: text('email_hash').notNull(),
    name: text('name'),
    locale: text('locale', { enum: ['fr', 'en'] })
      .notNull()
      .default('fr'),
    country: text('country'),
    researchField: text('research_field'),
    careerStage: text('career_stage', {
      enum: ['doctoral', 'postdoc', 'early-career', 'established', 'other'],
    }),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('subscribers_email_key').on(sql`(lower(${t.email}) COLLATE "C")`),
    uniqueIndex('subscribers_email_hash_key').on(t.emailHash),
  ],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    subscriberId: bigint('subscriber_id', { mode: 'number' })
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    newsletterId: text('newsletter_id').notNull(),
    status: text('status', { enum: ['pending', 'active', 'unsubscribed'] }).notNull(),
    ...timestamps,
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.newsletterId] }),
    index('subscriptions_audience_idx').on(t.newsletterId, t.status, t.subscriberId),
  ],
);

export const consentEvents = pgTable('consent_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  subscriberId: bigint('subscriber_id', { mode: 'number' }).references(() => subscribers.id, {
    onDelete: 'set null',
  }),
  newsletterId: text('newsletter_id'),
  kind: text('kind', {
    enum: [
      'subscribe',
      'confirm',
      'preferences',
      'unsubscribe',
      'erase',
      'import',
      'bounce',
      'complaint',
      'manual',
    ],
  }).notNull(),
  source: text('source').notNull(),
  consentVersion: text('consent_version'),
  ip: text('ip'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
});

export const suppressions = pgTable('suppressions', {
  emailHash: text('email_hash').primaryKey(),
  reason: text('reason', {
    enum: ['hard_bounce', 'soft_bounce', 'complaint', 'erased', 'manual'],
  }).notNull(),
  detail: text('detail'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
