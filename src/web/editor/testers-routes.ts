import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  type AuditActor,
  MAX_TESTERS_PER_NEWSLETTER,
  TesterEmailSchema,
} from '../../editors/index.ts';
import { NotFoundError } from '../../lib/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { previewPagesOf } from './preview-routes.ts';
import { requireAction } from './require-action.ts';
import { editorOf } from './session.ts';

const NewsletterParamsSchema = z.object({
  newsletter: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
});

/** The add and remove forms: one address. */
export const TesterFormSchema = z.object({ email: TesterEmailSchema });

const DoneSchema = z.object({
  done: z.enum(['added', 'removed']).optional().catch(undefined),
});

/**
 * The testers of a newsletter (`testers.manage`, publishers and admins), the addresses that
 * get the workspace's test copies besides the signed-in editor:
 *
 * - `GET /newsletters/:newsletter/testers`: the list, a remove button each, the add form;
 * - `POST /newsletters/:newsletter/testers` (`email`): adds one (a bad address, one already
 *   there or a full list answers 400 with the reason and changes nothing);
 * - `POST /newsletters/:newsletter/testers/remove` (`email`).
 *
 * Each change is audited (`newsletter.tester.add`, `newsletter.tester.remove`) in its
 * transaction.
 */
export function registerTesterRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const manage = { preHandler: requireAction('testers.manage') };

  function newsletterOf(request: FastifyRequest) {
    const parsed = NewsletterParamsSchema.safeParse(request.params);
    const newsletter = parsed.success
      ? ctx.newsletters.find((candidate) => candidate.id === parsed.data.newsletter)
      : undefined;
    if (newsletter === undefined) throw new NotFoundError('No such newsletter');
    return newsletter;
  }

  async function showPage(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { error?: string; email?: string; done?: 'added' | 'removed' | undefined } = {},
  ) {
    const deps = previewPagesOf(ctx);
    const newsletter = newsletterOf(request);
    const t = editorT(request);
    const testers = await deps.testers.list(newsletter.id);
    return renderEditorPage(reply, request, 'testers', {
      title: t('editor.testers.title', { newsletter: newsletter.title }),
      action: `/editor/newsletters/${newsletter.id}/testers`,
      testers: testers.map((tester) => ({ email: tester.email, addedAt: tester.addedAt })),
      max: MAX_TESTERS_PER_NEWSLETTER,
      error: options.error,
      email: options.email ?? '',
      done: options.done,
    });
  }

  const actorOf = (request: FastifyRequest): AuditActor => {
    const editor = editorOf(request);
    return { kind: 'editor', editorId: editor.id, name: editor.email };
  };

  app.get('/newsletters/:newsletter/testers', manage, async (request, reply) => {
    const { done } = DoneSchema.parse(request.query ?? {});
    return showPage(request, reply, { done });
  });

  app.post('/newsletters/:newsletter/testers', manage, async (request, reply) => {
    const deps = previewPagesOf(ctx);
    const newsletter = newsletterOf(request);
    const t = editorT(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = TesterFormSchema.safeParse(body);
    const typed = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    if (!form.success) {
      reply.code(400);
      return showPage(request, reply, { error: t('editor.testers.error.email'), email: typed });
    }
    const email = form.data.email;
    const outcome = await deps.testers.add(
      { newsletterId: newsletter.id, email, addedBy: editorOf(request).id },
      {
        actor: actorOf(request),
        action: 'newsletter.tester.add',
        objectType: 'newsletter',
        objectId: newsletter.id,
        details: { email },
      },
      deps.clock.now(),
    );
    if (outcome !== 'added') {
      reply.code(400);
      return showPage(request, reply, {
        error: t(`editor.testers.error.${outcome}`, { email, max: MAX_TESTERS_PER_NEWSLETTER }),
        email: typed,
      });
    }
    return reply.redirect(`/editor/newsletters/${newsletter.id}/testers?done=added`, 303);
  });

  app.post('/newsletters/:newsletter/testers/remove', manage, async (request, reply) => {
    const deps = previewPagesOf(ctx);
    const newsletter = newsletterOf(request);
    const t = editorT(request);
    const form = TesterFormSchema.safeParse(request.body ?? {});
    const isRemoved =
      form.success &&
      (await deps.testers.remove(
        { newsletterId: newsletter.id, email: form.data.email },
        {
          actor: actorOf(request),
          action: 'newsletter.tester.remove',
          objectType: 'newsletter',
          objectId: newsletter.id,
          details: { email: form.data.email },
        },
        deps.clock.now(),
      ));
    if (!isRemoved) {
      reply.code(400);
      return showPage(request, reply, { error: t('editor.testers.error.not_found') });
    }
    return reply.redirect(`/editor/newsletters/${newsletter.id}/testers?done=removed`, 303);
  });
}
