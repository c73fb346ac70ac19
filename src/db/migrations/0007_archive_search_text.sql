-- The archive search read every sent issue's whole text through search_fold on each request
-- (seconds, and on embedded PGlite a blocked server, once the archive holds a few years of
-- issues). The folded text is now computed once, when the body is written.
ALTER TABLE campaign_bodies ADD COLUMN search_text text
  GENERATED ALWAYS AS (search_fold(subject || E'\n' || preheader || E'\n' || text)) STORED;
