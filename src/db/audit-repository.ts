import { type SQL, sql } from 'drizzle-orm';

import {
  type AuditEntry,
  AuditEntrySchema,
  type AuditFilter,
  type AuditStore,
  type NewAuditEntry,
  NewAuditEntrySchema,
} from '../editors/index.ts';
import { type Executor, queryRows } from './client.ts';

interface RawAudit {
  id: number | string;
  at: Date | string;
  actor_kind: 'editor' | 'command-line';
  editor_id: number | string | null;
  actor_name: string;
  action: string;
  object_type: string | null;
  object_id: string | null;
  details: unknown;
}

function toEntry(row: RawAudit): AuditEntry {
  const details = typeof row.details === 'string' ? JSON.parse(row.details) : row.details;
  return AuditEntrySchema.parse({
    id: Number(row.id),
    at: new Date(row.at),
    actor:
      row.actor_kind === 'editor'
        ? { kind: 'editor', editorId: Number(row.editor_id), name: row.actor_name }
        : { kind: 'command-line', name: row.actor_name },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    details: details ?? {},
  });
}

/**
 * The append-only `audit_log`: rows are inserted and read, never changed (the database's
 * trigger refuses UPDATE, DELETE and TRUNCATE). Implements the editors' {@link AuditStore}.
 */
export function createAuditRepository(db: Executor) {
  return {
    async append(input: NewAuditEntry, now: Date): Promise<AuditEntry> {
      const entry = NewAuditEntrySchema.parse(input);
      const editorId = entry.actor.kind === 'editor' ? entry.actor.editorId : null;
      const rows = await queryRows<RawAudit>(
        db,
        sql`INSERT INTO audit_log (at, actor_kind, editor_id, actor_name, action, object_type, object_id, details)
            VALUES (${now.toISOString()}::timestamptz, ${entry.actor.kind}, ${editorId},
                    ${entry.actor.name}, ${entry.action}, ${entry.objectType}, ${entry.objectId},
                    ${JSON.stringify(entry.details)}::jsonb)
            RETURNING *`,
      );
      return toEntry(rows[0] as RawAudit);
    },

    /** The newest entries first, filtered. */
    async list(filter: AuditFilter): Promise<AuditEntry[]> {
      const conditions: SQL[] = [sql`true`];
      if (filter.since) conditions.push(sql`at >= ${filter.since.toISOString()}::timestamptz`);
      if (filter.action) conditions.push(sql`action = ${filter.action}`);
      if (filter.objectType) conditions.push(sql`object_type = ${filter.objectType}`);
      if (filter.objectId) conditions.push(sql`object_id = ${filter.objectId}`);
      if (filter.actor) {
        const actor = filter.actor.trim().toLowerCase();
        conditions.push(
          actor === 'command line'
            ? sql`actor_kind = 'command-line'`
            : sql`lower(actor_name) = ${actor}`,
        );
      }
      const limit = Math.min(Math.max(filter.limit ?? 200, 1), 10_000);
      const offset = Math.max(Math.trunc(filter.offset ?? 0), 0);
      const rows = await queryRows<RawAudit>(
        db,
        sql`SELECT * FROM audit_log WHERE ${sql.join(conditions, sql` AND `)}
            ORDER BY at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
      );
      return rows.map(toEntry);
    },
  } satisfies AuditStore;
}

/** The audit repository. */
export type AuditRepository = ReturnType<typeof createAuditRepository>;
