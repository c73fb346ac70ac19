import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { IssueFileExistsError, listIssueKeys } from '../../content/index.ts';
import { type Translate, ValidationError } from '../../lib/index.ts';
import { type ComposerPage, issuePageUrl, parseQuietly, writerOf } from './composer-page.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';

const CreateFormSchema = z.object({
  newsletter: z.string().trim().max(100),
  month: z
    .string()
    .trim()
    .regex(/^\d{4}-(?:0[1-9]|1[0-2])$/, 'month'),
});

/** The month after the newest of `keys` (`adn/2026-11` → `2026-12`), else the current one. */
export function nextMonth(keys: readonly string[], now: Date): string {
  const newest = keys[0]?.split('/')[1];
  if (newest === undefined) return now.toISOString().slice(0, 7);
  const [year, month] = newest.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/**
 * The issues of a newsletter (`/editor/issues?newsletter=`, every role): each month's file with
 * its number, subject and state (draft, in review, approved, sent), and — for those who may
 * write issues — the form creating the issue of a month (next number, its date, the
 * newsletter's sections: the content module's issue file service, audited).
 */
export function registerIssueListRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
  page: ComposerPage,
): void {
  const { files } = page;
  const newsletterIds = ctx.newsletters.map((newsletter) => newsletter.id);

  function newsletterOf(raw: unknown): string {
    const id = typeof raw === 'string' ? raw : '';
    return newsletterIds.includes(id) ? id : (newsletterIds[0] ?? '');
  }

  async function showList(
    t: Translate,
    newsletterId: string,
    extra: { error?: string; month?: string } = {},
  ) {
    const keys = await listIssueKeys(ctx.deps.issuesDir, newsletterId);
    const rows = await Promise.all(
      keys.map(async (key) => {
        const month = key.split('/')[1] ?? '';
        const opened = await files.open(newsletterId, month);
        const data = (parseQuietly(opened.text) ?? {}) as Record<string, unknown>;
        return {
          key,
          month,
          href: issuePageUrl(newsletterId, month),
          number: typeof data.number === 'number' ? data.number : null,
          subject: typeof data.subject === 'string' ? data.subject : null,
          problemCount: opened.problems.length,
          state: (await ctx.deps.review.statusOf(key, opened.hash)).state,
        };
      }),
    );
    return {
      title: t('editor.composer.title'),
      newsletters: ctx.newsletters.map((n) => ({ ...n, isCurrent: n.id === newsletterId })),
      newsletterId,
      rows,
      month: extra.month ?? nextMonth(keys, ctx.deps.clock.now()),
      error: extra.error,
    };
  }

  app.get('/issues', async (request, reply) => {
    const query = request.query as { newsletter?: unknown };
    const newsletterId = newsletterOf(query.newsletter);
    return renderEditorPage(
      reply,
      request,
      'composer-list',
      await showList(editorT(request), newsletterId),
    );
  });

  app.post('/issues', { preHandler: requireAction('issue.write') }, async (request, reply) => {
    const t = editorT(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = CreateFormSchema.safeParse(body);
    const newsletterId = newsletterOf(body.newsletter);
    const month = typeof body.month === 'string' ? body.month.slice(0, 20) : '';
    if (!parsed.success || !newsletterIds.includes(parsed.data.newsletter)) {
      reply.code(400);
      return renderEditorPage(
        reply,
        request,
        'composer-list',
        await showList(editorT(request), newsletterId, {
          error: t('editor.composer.bad_month'),
          month,
        }),
      );
    }
    try {
      await files.create(parsed.data.newsletter, parsed.data.month, writerOf(request));
    } catch (error) {
      if (!(error instanceof IssueFileExistsError) && !(error instanceof ValidationError)) {
        throw error;
      }
      reply.code(409);
      const message =
        error instanceof IssueFileExistsError
          ? t('editor.composer.exists', { month: parsed.data.month })
          : error.message;
      return renderEditorPage(
        reply,
        request,
        'composer-list',
        await showList(editorT(request), newsletterId, { error: message, month }),
      );
    }
    return reply.redirect(issuePageUrl(parsed.data.newsletter, parsed.data.month), 303);
  });
}
