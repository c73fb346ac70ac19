-- When the opt-in mail of a pending subscription was last asked for by
-- `depeche subscribers send-confirmations`: each address gets it at most once a week.
ALTER TABLE subscriptions ADD COLUMN confirmation_sent_at timestamptz;
CREATE INDEX subscriptions_pending_confirmation_idx
  ON subscriptions (newsletter_id, subscriber_id) WHERE status = 'pending';
