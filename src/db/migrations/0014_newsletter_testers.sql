-- The testers of each newsletter: addresses that receive the workspace's test copies besides
-- the signed-in editor. Kept per newsletter; adding and removing one is audited.
CREATE TABLE newsletter_testers (
  newsletter_id text NOT NULL,
  email         text NOT NULL CHECK (email = lower(email)),
  added_by      bigint REFERENCES editors (id),
  added_at      timestamptz NOT NULL,
  PRIMARY KEY (newsletter_id, email)
);
