-- Signed webhook tokens already taken: Mailgun's signature covers its timestamp and token, not
-- the body, so a token is taken with one body only (the same body again is a retry, processed as
-- a duplicate; another body is refused). Rows older than twice WEBHOOK_MAX_AGE_SEC are deleted as
-- new ones arrive: by then their timestamp is refused anyway.
CREATE TABLE webhook_tokens (
  provider    text NOT NULL,
  token       text COLLATE "C" NOT NULL,
  body_sha256 text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (provider, token)
);
CREATE INDEX webhook_tokens_received_idx ON webhook_tokens (received_at);
