import type { z } from 'zod';

import { type Clock, ValidationError } from '../lib/index.ts';
import type { AuditActor } from './audit.ts';
import { type Editor, EditorEmailSchema, type NewEditor, NewEditorSchema } from './editor.ts';
import { EditorExistsError, EditorNotFoundError } from './errors.ts';
import type { AuditStore, EditorStore, SessionStore } from './ports.ts';
import { type Role, RoleSchema } from './role.ts';

/** Parses an outside input, naming what was wrong in a {@link ValidationError}. */
function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || what;
    return `${field} ${JSON.stringify(issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k as PropertyKey], value))}: ${issue.message}`;
  });
  throw new ValidationError(`Invalid ${what}: ${problems.join('; ')}`);
}

/**
 * Editor accounts: create, list, disable, change role. Every change lands in the audit log
 * with its actor; disabling an account or changing its role ends its sessions at once.
 */
export function createAccountService(deps: {
  editors: EditorStore;
  sessions: Pick<SessionStore, 'revokeEditorSessions'>;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
}) {
  const { editors, sessions, audit, clock } = deps;

  async function require(email: string): Promise<Editor> {
    const address = parseInput(EditorEmailSchema, email, 'email');
    const editor = await editors.findByEmail(address);
    if (!editor) throw new EditorNotFoundError(address);
    return editor;
  }

  /** Ends every session of an account whose rights just changed, and records the change. */
  async function endSessionsAndRecord(
    actor: AuditActor,
    editor: Editor,
    action: 'editor.disable' | 'editor.role',
    details: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    const revoked = await sessions.revokeEditorSessions(editor.id, now);
    await audit.append(
      {
        actor,
        action,
        objectType: 'editor',
        objectId: String(editor.id),
        details: { email: editor.email, ...details, sessionsEnded: revoked },
      },
      now,
    );
  }

  return {
    async add(
      actor: AuditActor,
      input: { email: string; role: string; name?: string | undefined },
    ) {
      const values: NewEditor = parseInput(NewEditorSchema, input, 'editor account');
      const now = clock.now();
      const created = await editors.insert(values, now);
      if (!created) throw new EditorExistsError(values.email);
      await audit.append(
        {
          actor,
          action: 'editor.add',
          objectType: 'editor',
          objectId: String(created.id),
          details: { email: created.email, role: created.role },
        },
        now,
      );
      return created;
    },

    list: () => editors.list(),

    find: (email: string) => editors.findByEmail(parseInput(EditorEmailSchema, email, 'email')),

    async disable(actor: AuditActor, email: string): Promise<Editor> {
      const editor = await require(email);
      if (editor.disabledAt) return editor;
      const now = clock.now();
      await editors.setDisabled(editor.id, now);
      await endSessionsAndRecord(actor, editor, 'editor.disable', {}, now);
      return { ...editor, disabledAt: now };
    },

    async changeRole(actor: AuditActor, email: string, rawRole: string): Promise<Editor> {
      const role: Role = parseInput(RoleSchema, rawRole, 'role');
      const editor = await require(email);
      if (editor.role === role) return editor;
      const now = clock.now();
      await editors.setRole(editor.id, role);
      await endSessionsAndRecord(
        actor,
        editor,
        'editor.role',
        { from: editor.role, to: role },
        now,
      );
      return { ...editor, role };
    },
  };
}

/** The account service. */
export type AccountService = ReturnType<typeof createAccountService>;
