import type { Clock } from '../lib/index.ts';
import type { Editor } from './editor.ts';
import { EditorEmailSchema } from './editor.ts';
import type { AuditStore, EditorStore, SessionStore } from './ports.ts';
import { generateSecretToken, hashSecretToken, isSecretTokenShape } from './secret-token.ts';
import {
  isSessionAlive,
  sessionExpiry,
  type SessionPolicy,
  signInTokenExpiry,
} from './session-rules.ts';

/** A signed-in editor, as the workspace's routes see it. */
export interface EditorSession {
  editor: Editor;
  /** hash of the session id: what sign-out revokes */
  idHash: string;
}

/**
 * Sign-in by one-time link and server-side sessions. Tokens and session ids are random and
 * stored hashed; a token is used once, within 15 minutes, for the account it was issued to.
 */
export function createSessionService(deps: {
  editors: Pick<EditorStore, 'findByEmail' | 'findById' | 'recordSignIn'>;
  sessions: SessionStore;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  policy: SessionPolicy;
}) {
  const { editors, sessions, audit, clock, policy } = deps;
  return {
    /**
     * Issues a sign-in token for an active account at `email`. Returns null for an unknown or
     * disabled address: the caller answers the same either way.
     */
    async requestSignIn(email: string): Promise<{ token: string; editor: Editor } | null> {
      const parsed = EditorEmailSchema.safeParse(email);
      if (!parsed.success) return null;
      const editor = await editors.findByEmail(parsed.data);
      if (!editor || editor.disabledAt) return null;
      const token = generateSecretToken();
      const now = clock.now();
      await sessions.insertSignInToken({
        tokenHash: hashSecretToken(token),
        editorId: editor.id,
        email: editor.email,
        createdAt: now,
        expiresAt: signInTokenExpiry(now),
      });
      return { token, editor };
    },

    /**
     * Uses a sign-in token and opens a session. Null (nobody signed in) when the token is
     * unknown, used, expired, or its account was disabled or changed address since.
     */
    async signIn(token: string): Promise<{ sessionId: string; editor: Editor } | null> {
      if (!isSecretTokenShape(token)) return null;
      const now = clock.now();
      const used = await sessions.consumeSignInToken(hashSecretToken(token), now);
      if (!used) return null;
      const editor = await editors.findById(used.editorId);
      if (!editor || editor.disabledAt || editor.email !== used.email) return null;
      const sessionId = generateSecretToken();
      await sessions.insertSession({
        idHash: hashSecretToken(sessionId),
        editorId: editor.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: sessionExpiry(now, policy),
      });
      await editors.recordSignIn(editor.id, now);
      await audit.append(
        {
          actor: { kind: 'editor', editorId: editor.id, name: editor.email },
          action: 'editor.sign-in',
          objectType: 'editor',
          objectId: String(editor.id),
        },
        now,
      );
      return { sessionId, editor: { ...editor, lastSignInAt: now } };
    },

    /** The live session of a cookie value, refreshed; null when it ended for any reason. */
    async load(sessionId: string): Promise<EditorSession | null> {
      if (!isSecretTokenShape(sessionId)) return null;
      const idHash = hashSecretToken(sessionId);
      const session = await sessions.findSession(idHash);
      const now = clock.now();
      if (!session || session.revokedAt || !isSessionAlive(session, now, policy)) return null;
      const editor = await editors.findById(session.editorId);
      if (!editor || editor.disabledAt) return null;
      await sessions.touchSession(idHash, now);
      return { editor, idHash };
    },

    /** Ends a session (sign-out). */
    async signOut(session: EditorSession): Promise<void> {
      const now = clock.now();
      await sessions.revokeSession(session.idHash, now);
      await audit.append(
        {
          actor: { kind: 'editor', editorId: session.editor.id, name: session.editor.email },
          action: 'editor.sign-out',
          objectType: 'editor',
          objectId: String(session.editor.id),
        },
        now,
      );
    },
  };
}

/** The session service. */
export type SessionService = ReturnType<typeof createSessionService>;
