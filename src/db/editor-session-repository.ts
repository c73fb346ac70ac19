import { sql } from 'drizzle-orm';

import type { SessionStore, StoredSession } from '../editors/index.ts';
import { type Executor, queryRows } from './client.ts';

interface RawSession {
  id_hash: string;
  editor_id: number | string;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
}

const iso = (date: Date) => date.toISOString();

/**
 * Data access of `editor_sign_in_tokens` and `editor_sessions`: only hashes of the secrets are
 * stored. Implements the editors' {@link SessionStore}.
 */
export function createEditorSessionRepository(db: Executor) {
  return {
    async insertSignInToken(token) {
      await db.execute(
        sql`INSERT INTO editor_sign_in_tokens (token_hash, editor_id, email, created_at, expires_at)
            VALUES (${token.tokenHash}, ${token.editorId}, ${token.email},
                    ${iso(token.createdAt)}::timestamptz, ${iso(token.expiresAt)}::timestamptz)`,
      );
    },

    async consumeSignInToken(tokenHash, now) {
      const rows = await queryRows<{ editor_id: number | string; email: string }>(
        db,
        sql`UPDATE editor_sign_in_tokens SET used_at = ${iso(now)}::timestamptz
            WHERE token_hash = ${tokenHash} AND used_at IS NULL
              AND expires_at > ${iso(now)}::timestamptz
            RETURNING editor_id, email`,
      );
      const row = rows[0];
      return row ? { editorId: Number(row.editor_id), email: row.email } : null;
    },

    async insertSession(session) {
      await db.execute(
        sql`INSERT INTO editor_sessions (id_hash, editor_id, created_at, last_seen_at, expires_at)
            VALUES (${session.idHash}, ${session.editorId}, ${iso(session.createdAt)}::timestamptz,
                    ${iso(session.lastSeenAt)}::timestamptz, ${iso(session.expiresAt)}::timestamptz)`,
      );
    },

    async findSession(idHash): Promise<StoredSession | null> {
      const rows = await queryRows<RawSession>(
        db,
        sql`SELECT * FROM editor_sessions WHERE id_hash = ${idHash}`,
      );
      const row = rows[0];
      if (!row) return null;
      return {
        idHash: row.id_hash,
        editorId: Number(row.editor_id),
        createdAt: new Date(row.created_at),
        lastSeenAt: new Date(row.last_seen_at),
        expiresAt: new Date(row.expires_at),
        revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
      };
    },

    async touchSession(idHash, now) {
      await db.execute(
        sql`UPDATE editor_sessions SET last_seen_at = ${iso(now)}::timestamptz
            WHERE id_hash = ${idHash}`,
      );
    },

    async revokeSession(idHash, now) {
      await db.execute(
        sql`UPDATE editor_sessions SET revoked_at = ${iso(now)}::timestamptz
            WHERE id_hash = ${idHash} AND revoked_at IS NULL`,
      );
    },

    async revokeEditorSessions(editorId, now) {
      const rows = await queryRows<{ id_hash: string }>(
        db,
        sql`UPDATE editor_sessions SET revoked_at = ${iso(now)}::timestamptz
            WHERE editor_id = ${editorId} AND revoked_at IS NULL RETURNING id_hash`,
      );
      return rows.length;
    },
  } satisfies SessionStore;
}

/** The editor session repository. */
export type EditorSessionRepository = ReturnType<typeof createEditorSessionRepository>;
