import { sql } from 'drizzle-orm';

import { type Editor, EditorSchema, type EditorStore, type NewEditor } from '../editors/index.ts';
import { type Executor, queryRows } from './client.ts';
import { isUniqueViolation } from './subscriber-import-repository.ts';

interface RawEditor {
  id: number | string;
  email: string;
  name: string;
  role: string;
  locale: string;
  created_at: Date | string;
  last_sign_in_at: Date | string | null;
  disabled_at: Date | string | null;
}

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

function toEditor(row: RawEditor): Editor {
  return EditorSchema.parse({
    id: Number(row.id),
    email: row.email,
    name: row.name,
    role: row.role,
    locale: row.locale,
    createdAt: new Date(row.created_at),
    lastSignInAt: toDate(row.last_sign_in_at),
    disabledAt: toDate(row.disabled_at),
  });
}

/** Data access of the `editors` table; implements the editors' {@link EditorStore}. */
export function createEditorRepository(db: Executor) {
  return {
    async insert(editor: NewEditor, now: Date): Promise<Editor | null> {
      try {
        const rows = await queryRows<RawEditor>(
          db,
          sql`INSERT INTO editors (email, name, role, created_at)
              VALUES (${editor.email}, ${editor.name}, ${editor.role}, ${now.toISOString()}::timestamptz)
              RETURNING *`,
        );
        return rows[0] ? toEditor(rows[0]) : null;
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    async findByEmail(email: string): Promise<Editor | null> {
      const rows = await queryRows<RawEditor>(
        db,
        sql`SELECT * FROM editors WHERE lower(email) = lower(${email})`,
      );
      return rows[0] ? toEditor(rows[0]) : null;
    },

    async findById(id: number): Promise<Editor | null> {
      const rows = await queryRows<RawEditor>(db, sql`SELECT * FROM editors WHERE id = ${id}`);
      return rows[0] ? toEditor(rows[0]) : null;
    },

    async list(): Promise<Editor[]> {
      const rows = await queryRows<RawEditor>(db, sql`SELECT * FROM editors ORDER BY email`);
      return rows.map(toEditor);
    },

    async setRole(id: number, role: Editor['role']): Promise<void> {
      await db.execute(sql`UPDATE editors SET role = ${role} WHERE id = ${id}`);
    },

    async setDisabled(id: number, now: Date): Promise<void> {
      await db.execute(
        sql`UPDATE editors SET disabled_at = ${now.toISOString()}::timestamptz
            WHERE id = ${id} AND disabled_at IS NULL`,
      );
    },

    async setLocale(id: number, locale: Editor['locale']): Promise<void> {
      await db.execute(sql`UPDATE editors SET locale = ${locale} WHERE id = ${id}`);
    },

    async recordSignIn(id: number, now: Date): Promise<void> {
      await db.execute(
        sql`UPDATE editors SET last_sign_in_at = ${now.toISOString()}::timestamptz WHERE id = ${id}`,
      );
    },
  } satisfies EditorStore;
}

/** The editor repository. */
export type EditorRepository = ReturnType<typeof createEditorRepository>;
