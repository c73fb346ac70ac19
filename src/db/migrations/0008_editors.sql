-- The editors' workspace: accounts, one-time sign-in tokens, sessions and the audit log.

CREATE TABLE editors (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email            text NOT NULL,
  name             text NOT NULL DEFAULT '',
  role             text NOT NULL CHECK (role IN ('editor', 'publisher', 'admin')),
  locale           text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at  timestamptz,
  disabled_at      timestamptz
);
CREATE UNIQUE INDEX editors_email_key ON editors (lower(email));

-- Only the SHA-256 of a token or session id is stored: a copy of the table signs nobody in.
CREATE TABLE editor_sign_in_tokens (
  token_hash   text PRIMARY KEY,
  editor_id    bigint NOT NULL REFERENCES editors (id),
  email        text NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX editor_sign_in_tokens_editor_idx ON editor_sign_in_tokens (editor_id);

CREATE TABLE editor_sessions (
  id_hash       text PRIMARY KEY,
  editor_id     bigint NOT NULL REFERENCES editors (id),
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX editor_sessions_editor_idx ON editor_sessions (editor_id) WHERE revoked_at IS NULL;

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_kind   text NOT NULL CHECK (actor_kind IN ('editor', 'command-line')),
  editor_id    bigint REFERENCES editors (id),
  actor_name   text NOT NULL,
  action       text NOT NULL,
  object_type  text,
  object_id    text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Append-only: the application never updates or deletes a row, and the database refuses it.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
