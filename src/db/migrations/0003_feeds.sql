-- Monitored feeds: their health, and the candidate items they bring.

CREATE TABLE feed_health (
  newsletter_id        text NOT NULL,
  feed_url             text NOT NULL,
  name                 text NOT NULL,
  etag                 text,
  last_modified        text,
  last_polled_at       timestamptz,
  last_success_at      timestamptz,
  last_error_at        timestamptz,
  last_error           text,
  last_error_reason    text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  items_seen           integer NOT NULL DEFAULT 0,
  last_entry_count     integer,
  last_new_item_at     timestamptz,
  newest_entry_at      timestamptz,
  typical_gap_sec      integer,
  PRIMARY KEY (newsletter_id, feed_url)
);

CREATE TABLE feed_candidates (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  newsletter_id  text NOT NULL,
  feed_url       text NOT NULL,
  source_name    text NOT NULL,
  guid           text,
  url            text NOT NULL,
  canonical_url  text NOT NULL,
  title          text NOT NULL,
  title_key      text NOT NULL,
  summary        text NOT NULL DEFAULT '',
  section_id     text,
  published_at   timestamptz,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  deadline       date,
  status         text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'picked', 'dismissed')),
  status_changed_at timestamptz,
  used_in_issue  text
);
CREATE UNIQUE INDEX feed_candidates_url_key ON feed_candidates (newsletter_id, canonical_url);
CREATE UNIQUE INDEX feed_candidates_title_key ON feed_candidates (newsletter_id, title_key);
CREATE UNIQUE INDEX feed_candidates_guid_key ON feed_candidates (newsletter_id, guid) WHERE guid IS NOT NULL;
CREATE INDEX feed_candidates_status_idx ON feed_candidates (newsletter_id, status, first_seen_at);
