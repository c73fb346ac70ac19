import { sql } from 'drizzle-orm';

import type { AuditActor } from '../editors/index.ts';
import { type Executor, queryRows } from './client.ts';

/** A link of an issue marked as known to fail, by whom and when. */
export interface KnownLink {
  issueKey: string;
  url: string;
  markedBy: AuditActor;
  markedAt: Date;
}

/** Data access of `issue_known_links`: the broken links editors accepted, per issue. */
export function createIssueKnownLinksRepository(db: Executor) {
  return {
    /** The known links of an issue, oldest mark first. */
    async list(issueKey: string): Promise<KnownLink[]> {
      const rows = await queryRows<{
        issue_key: string;
        url: string;
        marked_by_kind: 'editor' | 'command-line';
        editor_id: number | string | null;
        marked_by_name: string;
        marked_at: Date | string;
      }>(
        db,
        sql`SELECT issue_key, url, marked_by_kind, editor_id, marked_by_name, marked_at
            FROM issue_known_links WHERE issue_key = ${issueKey} ORDER BY marked_at, url`,
      );
      return rows.map((row) => ({
        issueKey: row.issue_key,
        url: row.url,
        markedBy:
          row.marked_by_kind === 'editor'
            ? { kind: 'editor', editorId: Number(row.editor_id), name: row.marked_by_name }
            : { kind: 'command-line', name: row.marked_by_name },
        markedAt: new Date(row.marked_at),
      }));
    },

    /** Marks `url` of the issue as known to fail; marking it again keeps the first mark. */
    async mark(issueKey: string, url: string, actor: AuditActor, at: Date): Promise<void> {
      await db.execute(
        sql`INSERT INTO issue_known_links
              (issue_key, url, marked_by_kind, editor_id, marked_by_name, marked_at)
            VALUES (${issueKey}, ${url}, ${actor.kind},
                    ${actor.kind === 'editor' ? actor.editorId : null}, ${actor.name},
                    ${at.toISOString()}::timestamptz)
            ON CONFLICT (issue_key, url) DO NOTHING`,
      );
    },

    /** Removes the mark: the link blocks approval again while it fails. */
    async unmark(issueKey: string, url: string): Promise<boolean> {
      const rows = await queryRows<{ url: string }>(
        db,
        sql`DELETE FROM issue_known_links WHERE issue_key = ${issueKey} AND url = ${url}
            RETURNING url`,
      );
      return rows.length > 0;
    },
  };
}

/** See {@link createIssueKnownLinksRepository}. */
export type IssueKnownLinksRepository = ReturnType<typeof createIssueKnownLinksRepository>;
