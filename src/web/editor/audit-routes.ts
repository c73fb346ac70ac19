import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { type AuditFilter, describeActor } from '../../editors/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';

/** Rows per page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const AuditQuerySchema = z.object({
  actor: z.preprocess(blankToUndefined, z.string().trim().max(254).optional()),
  action: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  since: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 2026-12-01')
      .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'expected a real date')
      .optional(),
  ),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});

/**
 * The audit log page (`/editor/audit`, every role): who did what and when, newest first,
 * filtered by actor (an address, an OS user, or "command line"), action and date, 50 a page.
 * Read-only: the log is append-only.
 */
export function registerAuditRoutes(app: FastifyInstance, ctx: EditorContext): void {
  app.get('/audit', async (request, reply) => {
    const t = editorT(request);
    const parsed = AuditQuerySchema.safeParse(request.query ?? {});
    const raw = request.query as Record<string, unknown>;
    const text = (key: string) => (typeof raw[key] === 'string' ? String(raw[key]) : '');
    const values = { actor: text('actor'), action: text('action'), since: text('since') };
    if (!parsed.success) {
      reply.code(400);
      return renderEditorPage(reply, request, 'editor-audit', {
        values,
        error: t('editor.audit.invalid', {
          problems: parsed.error.issues
            .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
            .join('; '),
        }),
        entries: [],
      });
    }
    const query = parsed.data;
    const filter: AuditFilter = {
      limit: AUDIT_PAGE_SIZE + 1,
      offset: (query.page - 1) * AUDIT_PAGE_SIZE,
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.since ? { since: new Date(`${query.since}T00:00:00Z`) } : {}),
    };
    const rows = await ctx.deps.audit.list(filter);
    const entries = rows.slice(0, AUDIT_PAGE_SIZE).map((entry) => ({
      ...entry,
      actorText:
        entry.actor.kind === 'editor'
          ? entry.actor.name
          : t('editor.audit.command_line', { user: entry.actor.name }),
      actorPlain: describeActor(entry.actor),
      object: entry.objectType === null ? '' : `${entry.objectType} ${entry.objectId ?? ''}`.trim(),
      details: Object.keys(entry.details).length === 0 ? '' : JSON.stringify(entry.details),
    }));
    const params = (page: number) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(values)) if (value) search.set(key, value);
      search.set('page', String(page));
      return `/editor/audit?${search.toString()}`;
    };
    return renderEditorPage(reply, request, 'editor-audit', {
      values,
      entries,
      page: query.page,
      previous: query.page > 1 ? params(query.page - 1) : null,
      next: rows.length > AUDIT_PAGE_SIZE ? params(query.page + 1) : null,
    });
  });
}
