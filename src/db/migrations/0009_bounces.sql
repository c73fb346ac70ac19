-- What comes back after sending: bounces, complaints and mailto unsubscribes.

-- A random key per campaign, the left part of its Message-IDs (`<key>.s<subscriber>@domain`):
-- unique across databases (a reset, a restore, a second installation with the same sender
-- domain) and the same for a resend of the same campaign and subscriber. The application writes
-- it from a strong random source; the default only fills rows that existed before.
ALTER TABLE campaigns ADD COLUMN message_key text NOT NULL
  DEFAULT md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text);

-- The last bounce or complaint reported for a delivery.
ALTER TABLE deliveries
  ADD COLUMN bounce_type text CHECK (bounce_type IN ('bounce', 'complaint')),
  ADD COLUMN bounce_class text CHECK (bounce_class IN ('hard', 'soft', 'policy', 'unknown')),
  ADD COLUMN bounce_status text,
  ADD COLUMN bounce_diagnostic text,
  ADD COLUMN bounced_at timestamptz;

-- A soft bounce repeated within a window suppresses an address too.
ALTER TABLE suppressions DROP CONSTRAINT suppressions_reason_check;
ALTER TABLE suppressions ADD CONSTRAINT suppressions_reason_check
  CHECK (reason IN ('hard_bounce', 'soft_bounce', 'complaint', 'erased', 'manual'));

-- Every inbound event, attributed or not; unclassified messages keep an excerpt for an operator.
-- `fingerprint` (sha256 of the raw message and the recipient it reports on) makes processing the
-- same message twice a no-op.
CREATE TABLE bounce_events (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fingerprint      text COLLATE "C" NOT NULL,
  delivery_id      bigint,
  campaign_id      bigint,
  -- sha256 hex of the lower-cased address, as in suppressions
  email_hash       text COLLATE "C",
  recipient_domain text,
  kind             text NOT NULL
                   CHECK (kind IN ('bounce', 'complaint', 'unsubscribe', 'auto-reply', 'unclassified')),
  class            text CHECK (class IN ('hard', 'soft', 'policy', 'unknown')),
  status_code      text,
  diagnostic       text,
  -- smtp, file, or a provider's webhook
  source           text NOT NULL,
  -- how the event was attributed: verp, message-id, address, or none
  matched_by       text NOT NULL DEFAULT 'none',
  raw_size         integer NOT NULL,
  raw_excerpt      text,
  received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bounce_events_fingerprint_key ON bounce_events (fingerprint);
-- soft bounces of an address within the window
CREATE INDEX bounce_events_address_idx ON bounce_events (email_hash, received_at);
-- campaign status: bounces and complaints per campaign
CREATE INDEX bounce_events_campaign_idx ON bounce_events (campaign_id, kind);
