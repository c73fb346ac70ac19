-- Campaigns (one send of one rendered issue to one audience) and one delivery row per recipient.
-- The delivery rows are the truth of a campaign: queued → sending → sent | failed, with
-- `uncertain` for rows whose worker died in the SMTP conversation and `skipped` for recipients
-- who left (unsubscribed, suppressed, erased) between fan-out and sending.

CREATE TABLE campaigns (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  newsletter_id   text NOT NULL,
  issue_key       text NOT NULL,
  status          text NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled')),
  -- audience filter (locale, country, research field, career stage, attributes)
  segment         jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- snapshot of the newsletter identity (sender, reply-to, title) the messages are built from
  newsletter      jsonb NOT NULL DEFAULT '{}'::jsonb,
  content_hash    text NOT NULL,
  scheduled_at    timestamptz,
  started_at      timestamptz,
  finished_at     timestamptz,
  -- why the campaign is paused, waiting or cancelled (error rate, overdue schedule, an editor)
  status_reason   text,
  -- fan-out checkpoint: the last subscriber id whose delivery row exists, the next batch number
  last_subscriber_id bigint NOT NULL DEFAULT 0,
  next_batch_no   integer NOT NULL DEFAULT 0,
  is_fanout_done  boolean NOT NULL DEFAULT false,
  -- counts kept in the transactions that change delivery rows (the error-rate guard reads them)
  recipient_count integer NOT NULL DEFAULT 0,
  sent_count      integer NOT NULL DEFAULT 0,
  failed_count    integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_status_idx ON campaigns (status, scheduled_at);

-- The rendered snapshot, one per language: editing the issue file later changes no mail.
CREATE TABLE campaign_bodies (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  locale      text NOT NULL CHECK (locale IN ('fr', 'en')),
  subject     text NOT NULL,
  preheader   text NOT NULL DEFAULT '',
  html        text NOT NULL,
  text        text NOT NULL,
  PRIMARY KEY (campaign_id, locale)
);

-- No foreign keys on this table: checking them row by row (a key-share lock on the subscriber
-- and the campaign for each of the 100,000 rows a fan-out inserts) doubled the fan-out time.
-- The rows are written only by the fan-out, from subscribers and a campaign it has just read,
-- and the two triggers below keep what the foreign keys did on delete.
CREATE TABLE deliveries (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id    bigint NOT NULL,
  -- null once the subscriber is erased: the row stays for the counts, anonymised
  subscriber_id  bigint,
  batch_no       integer NOT NULL,
  status         text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'skipped')),
  attempts       integer NOT NULL DEFAULT 0,
  smtp_response  text,
  message_id     text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz
);
CREATE UNIQUE INDEX deliveries_campaign_subscriber_key ON deliveries (campaign_id, subscriber_id);
-- one index serves the claims (campaign, 'queued', batch), the checks for unfinished rows, the
-- counts by status and the pending batches; each index more slows the fan-out's inserts
CREATE INDEX deliveries_progress_idx ON deliveries (campaign_id, status, batch_no);
-- erasure and data export find a subscriber's rows
CREATE INDEX deliveries_subscriber_idx ON deliveries (subscriber_id);

-- ON DELETE SET NULL of subscribers: an erased subscriber's rows stay, detached.
CREATE FUNCTION deliveries_detach_subscriber() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET subscriber_id = NULL WHERE subscriber_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER subscribers_detach_deliveries AFTER DELETE ON subscribers
  FOR EACH ROW EXECUTE FUNCTION deliveries_detach_subscriber();

-- ON DELETE CASCADE of campaigns.
CREATE FUNCTION deliveries_delete_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM deliveries WHERE campaign_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER campaigns_delete_deliveries AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION deliveries_delete_campaign();
