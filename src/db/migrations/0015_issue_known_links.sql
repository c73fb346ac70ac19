-- Links of an issue an editor marked as known to fail (a site that refuses robots, a page that
-- opens on the publication day): the link check at approval reports them but no longer blocks.
-- Bound to the issue and the exact URL; removing the mark makes the link block again.
CREATE TABLE issue_known_links (
  issue_key       text NOT NULL,
  url             text NOT NULL,
  marked_by_kind  text NOT NULL CHECK (marked_by_kind IN ('editor', 'command-line')),
  editor_id       bigint REFERENCES editors (id),
  marked_by_name  text NOT NULL,
  marked_at       timestamptz NOT NULL,
  PRIMARY KEY (issue_key, url)
);
