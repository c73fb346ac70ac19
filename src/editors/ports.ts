import type { AuditEntry, AuditFilter, NewAuditEntry } from './audit.ts';
import type { Editor, NewEditor } from './editor.ts';
import type { Role } from './role.ts';

/** The editor accounts, implemented in `db/editor-repository.ts`. */
export interface EditorStore {
  /** Creates an account; null when the address is taken. */
  insert(editor: NewEditor, now: Date): Promise<Editor | null>;
  findByEmail(email: string): Promise<Editor | null>;
  findById(id: number): Promise<Editor | null>;
  list(): Promise<Editor[]>;
  setRole(id: number, role: Role): Promise<void>;
  setDisabled(id: number, now: Date): Promise<void>;
  setLocale(id: number, locale: Editor['locale']): Promise<void>;
  recordSignIn(id: number, now: Date): Promise<void>;
}

/** A stored session, by the hash of its id. */
export interface StoredSession {
  idHash: string;
  editorId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** One-time sign-in tokens and sessions, stored hashed. */
export interface SessionStore {
  insertSignInToken(token: {
    tokenHash: string;
    editorId: number;
    email: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * Marks an unused, unexpired token used and returns what it was issued for; null when it is
   * unknown, used or expired. Atomic: two concurrent uses get one answer.
   */
  consumeSignInToken(
    tokenHash: string,
    now: Date,
  ): Promise<{ editorId: number; email: string } | null>;
  insertSession(session: Omit<StoredSession, 'revokedAt'>): Promise<void>;
  findSession(idHash: string): Promise<StoredSession | null>;
  touchSession(idHash: string, now: Date): Promise<void>;
  revokeSession(idHash: string, now: Date): Promise<void>;
  revokeEditorSessions(editorId: number, now: Date): Promise<number>;
}

/** The append-only audit log. */
export interface AuditStore {
  append(entry: NewAuditEntry, now: Date): Promise<AuditEntry>;
  list(filter: AuditFilter): Promise<AuditEntry[]>;
}
