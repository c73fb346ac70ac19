import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';

import { kindForCandidate } from '../../compose/index.ts';
import { IssueConflictError } from '../../content/index.ts';
import { formFromData, parseComposerForm } from './composer-form.ts';
import { addInboxPicks, applyComposerOp, parseComposerOp } from './composer-ops.ts';
import {
  actorOf,
  createComposerPage,
  issuePageUrl,
  parseQuietly,
  writerOf,
} from './composer-page.ts';
import { registerComposerPreviewRoutes } from './composer-preview-routes.ts';
import { registerComposerReviewRoutes } from './composer-review-routes.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { registerIssueListRoutes } from './issue-list-routes.ts';
import { requireAction } from './require-action.ts';

/** The body of a composer post holds a whole issue (the pages' 16 KiB limit is for forms). */
const COMPOSER_BODY_LIMIT = 512 * 1024;

/**
 * The composer (`/editor/issues…`): the issues list, and the issue page whose one form carries
 * the whole issue and whose every button posts it with an `op` (save, add, remove, reorder,
 * move, add from the inbox), so nothing typed is lost; problems are shown next to their field in
 * `depeche check`'s words, before the save and after. A save carries the hash of the version
 * opened: when the file changed meanwhile the page shows both versions and lets the editor
 * reload or overwrite knowingly. Every save is recorded by the review (back to draft).
 */
export function registerComposerRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const files = ctx.deps.issueFiles;
  if (!files || !ctx.deps.loadNewsletter) return;
  const page = createComposerPage(ctx, files);
  registerIssueListRoutes(app, ctx, page);
  registerComposerReviewRoutes(app, ctx, page);
  registerComposerPreviewRoutes(app, ctx, page);

  app.get('/issues/:newsletter/:month', async (request, reply) => {
    const { newsletterId, month } = page.paramsOf(request);
    const t = editorT(request);
    const newsletter = await page.loadNewsletter(newsletterId);
    const opened = await files.open(newsletterId, month);
    const form = formFromData(parseQuietly(opened.text), opened.hash);
    if (form === null) {
      reply.code(422);
      return renderEditorPage(reply, request, 'composer-unreadable', {
        title: t('editor.composer.unreadable_title', { newsletter: newsletter.title, month }),
        problems: opened.problems,
        text: opened.text,
      });
    }
    const query = request.query as { done?: unknown; links?: unknown };
    const done =
      typeof query.done === 'string' && /^[a-z-]{1,20}$/.test(query.done) ? query.done : null;
    return page.show(request, reply, {
      newsletter,
      month,
      form,
      problems: opened.problems,
      fileHash: opened.hash,
      extras: {
        notice:
          done === null
            ? undefined
            : [
                t(`editor.composer.done.${done}`),
                ...(done === 'approve' &&
                typeof query.links === 'string' &&
                /^\d{1,4}$/.test(query.links)
                  ? [t('editor.composer.links_checked', { count: query.links })]
                  : []),
              ].join(' '),
      },
    });
  });

  app.post(
    '/issues/:newsletter/:month',
    { preHandler: requireAction('issue.write'), bodyLimit: COMPOSER_BODY_LIMIT },
    async (request, reply) => {
      const { newsletterId, month, key } = page.paramsOf(request);
      const t = editorT(request);
      const newsletter = await page.loadNewsletter(newsletterId);
      const sectionIds = newsletter.sections.map((section) => section.id);
      const body = (request.body ?? {}) as Record<string, unknown>;
      let form = parseComposerForm(body);
      const op = parseComposerOp(body);
      if (op.kind === 'inbox-add' && ctx.deps.inbox) {
        const inbox = ctx.deps.inbox;
        const picks = await Promise.all(op.candidateIds.map((id) => inbox.get(newsletterId, id)));
        form = addInboxPicks(
          form,
          picks.map((candidate) => ({
            title: candidate.issueTitle ?? candidate.title,
            summary: candidate.issueSummary ?? candidate.summary,
            url: candidate.url,
            sectionId: candidate.sectionId,
            deadline: candidate.deadline,
            sourceName: candidate.sourceName,
            kind: kindForCandidate(candidate, newsletter),
          })),
          sectionIds,
        );
      } else {
        form = applyComposerOp(form, op, sectionIds);
      }
      const checked = page.check(newsletter, month, form);
      const show = (extras: Parameters<typeof page.show>[2]['extras'], fileHash = form.hash) =>
        page.show(request, reply, {
          newsletter,
          month,
          form,
          problems: checked.problems,
          fileHash,
          extras,
        });
      if (op.kind !== 'save' && op.kind !== 'overwrite') return show({});
      if (!checked.issue) {
        reply.code(400);
        return show({ error: t('editor.composer.not_saved', { count: checked.problems.length }) });
      }
      const expectedHash =
        op.kind === 'overwrite' ? String(body._current_hash ?? '').slice(0, 200) : form.hash;
      try {
        const saved = await files.save(
          newsletterId,
          month,
          expectedHash,
          checked.issue,
          writerOf(request),
        );
        await ctx.deps.review.recordSave(key, saved.hash, actorOf(request));
      } catch (error) {
        if (!(error instanceof IssueConflictError)) throw error;
        reply.code(409);
        return show(
          {
            error: t('editor.composer.conflict'),
            conflict: {
              currentText: error.currentText,
              currentHash: error.currentHash,
              mine: stringify(checked.issue, { lineWidth: 0 }),
            },
          },
          error.currentHash,
        );
      }
      return reply.redirect(`${issuePageUrl(newsletterId, month)}?done=saved`, 303);
    },
  );
}
