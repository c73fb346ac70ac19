-- Subscribers, their subscriptions to newsletters, consent history and suppressions.

CREATE TABLE subscribers (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- trimmed, domain lower-cased; uniqueness is case-insensitive on the whole address
  email          text NOT NULL,
  -- sha256 hex of lower(email), the key of suppressions: the fan-out excludes suppressed
  -- addresses with an index join, and erasure keeps only this hash
  email_hash     text NOT NULL,
  name           text,
  locale         text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  country        text CHECK (country ~ '^[A-Z]{2}$'),
  research_field text,
  career_stage   text CHECK (career_stage IN ('doctoral', 'postdoc', 'early-career', 'established', 'other')),
  attributes     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (lower(email));
CREATE UNIQUE INDEX subscribers_email_hash_key ON subscribers (email_hash);

CREATE TABLE subscriptions (
  subscriber_id   bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  newsletter_id   text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  confirmed_at    timestamptz,
  unsubscribed_at timestamptz,
  PRIMARY KEY (subscriber_id, newsletter_id)
);
-- the fan-out walks active subscriptions of a newsletter in subscriber-id order
CREATE INDEX subscriptions_audience_idx ON subscriptions (newsletter_id, status, subscriber_id);

-- Append-only: rows are inserted, never updated, except that erasure detaches them from the
-- subscriber and clears the IP address.
CREATE TABLE consent_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscriber_id   bigint REFERENCES subscribers (id) ON DELETE SET NULL,
  newsletter_id   text,
  kind            text NOT NULL CHECK (kind IN ('subscribe', 'confirm', 'preferences', 'unsubscribe', 'erase', 'import', 'bounce', 'complaint', 'manual')),
  source          text NOT NULL,
  consent_version text,
  ip              text,
  details         jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_subscriber_idx ON consent_events (subscriber_id);

-- Addresses that must never be made active again, kept by hash so that erasure keeps no address.
CREATE TABLE suppressions (
  email_hash text PRIMARY KEY,
  reason     text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'erased', 'manual')),
  detail     text,
  created_at timestamptz NOT NULL DEFAULT now()
);
