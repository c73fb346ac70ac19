-- The editors' inbox: what an editor adds to a candidate item while triaging it, the folded
-- search text of its free-text filter, and the indexes of its page query.
--
-- issue_title, issue_summary: the title and summary rewritten for the issue when picking (the
-- feed's own stay in title and summary). touched_at: the last time an editor did anything to
-- it (picked, dismissed, moved, noted, rewrote); a 'new' candidate untouched for
-- INBOX_NEW_MAX_DAYS since coalesce(touched_at, first_seen_at) drops out of the inbox's "new".
ALTER TABLE feed_candidates
  ADD COLUMN issue_title text,
  ADD COLUMN issue_summary text,
  ADD COLUMN touched_at timestamptz;

-- Accent- and case-insensitive free text (« Ecole » finds « École »), computed once when the row
-- is written, with the search_fold of migration 0005, as 0007 does for the archive: the same on
-- PostgreSQL and PGlite, without the unaccent extension.
ALTER TABLE feed_candidates ADD COLUMN search_text text GENERATED ALWAYS AS (search_fold(
  title || E'\n' || summary || E'\n' || source_name || E'\n' ||
  coalesce(issue_title, '') || E'\n' || coalesce(issue_summary, ''))) STORED;

-- One page of an inbox (one newsletter, one state or all) in either order without sorting it
-- whole.
CREATE INDEX feed_candidates_inbox_date_idx
  ON feed_candidates (newsletter_id, status, (coalesce(published_at, first_seen_at)) DESC, id DESC);
CREATE INDEX feed_candidates_inbox_all_date_idx
  ON feed_candidates (newsletter_id, (coalesce(published_at, first_seen_at)) DESC, id DESC);
CREATE INDEX feed_candidates_inbox_deadline_idx
  ON feed_candidates (newsletter_id, status, deadline, id);

-- Notes an editor leaves on a candidate for the other editors. No foreign key to
-- feed_candidates, so that emptying the candidates (TRUNCATE, as tests and resets do) needs no
-- CASCADE; the trigger below deletes the notes of a deleted candidate, as the key would.
CREATE TABLE candidate_notes (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  candidate_id  bigint NOT NULL,
  editor_id     bigint NOT NULL REFERENCES editors (id),
  body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created_at    timestamptz NOT NULL
);
CREATE INDEX candidate_notes_candidate_idx ON candidate_notes (candidate_id, created_at);

CREATE FUNCTION candidate_notes_follow_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM candidate_notes WHERE candidate_id = OLD.id;
  RETURN OLD;
END
$$;
CREATE TRIGGER feed_candidates_delete_notes AFTER DELETE ON feed_candidates
  FOR EACH ROW EXECUTE FUNCTION candidate_notes_follow_delete();
