-- The review of each issue (draft → in_review → approved → sent), bound to the content hash of
-- its file: the state holds for `content_hash` only, and a file whose hash differs is a draft
-- again. Each person is stored as kind ('editor', 'command-line', or 'outside' for a change made
-- outside the workspace), editor id (editors only) and name. Every transition is also in the
-- audit log (object type 'issue', id the issue key), which is the history.
CREATE TABLE issue_reviews (
  issue_key              text COLLATE "C" PRIMARY KEY,
  state                  text NOT NULL CHECK (state IN ('draft', 'in_review', 'approved', 'sent')),
  content_hash           text,
  last_changed_kind      text CHECK (last_changed_kind IN ('editor', 'command-line', 'outside')),
  last_changed_editor_id bigint REFERENCES editors (id),
  last_changed_name      text,
  last_changed_at        timestamptz,
  submitted_kind         text CHECK (submitted_kind IN ('editor', 'command-line')),
  submitted_editor_id    bigint REFERENCES editors (id),
  submitted_name         text,
  submitted_at           timestamptz,
  approved_kind          text CHECK (approved_kind IN ('editor', 'command-line')),
  approved_editor_id     bigint REFERENCES editors (id),
  approved_name          text,
  approved_at            timestamptz,
  is_self_approved       boolean NOT NULL DEFAULT false,
  returned_kind          text CHECK (returned_kind IN ('editor', 'command-line')),
  returned_editor_id     bigint REFERENCES editors (id),
  returned_name          text,
  returned_at            timestamptz,
  review_comment         text,
  sent_at                timestamptz,
  sent_campaign_id       bigint,
  version                integer NOT NULL,
  updated_at             timestamptz NOT NULL
);
CREATE INDEX issue_reviews_state_idx ON issue_reviews (state);
