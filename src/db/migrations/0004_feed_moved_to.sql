-- Where a feed's permanent redirects (301, 308) lead: its address in newsletter.yaml is the
-- editors' to update, so the poller records the new one instead of rewriting the file.

ALTER TABLE feed_health ADD COLUMN moved_to text;
