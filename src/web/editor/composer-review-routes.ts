import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Action } from '../../editors/index.ts';
import { ValidationError } from '../../lib/index.ts';
import { ReviewTransitionError } from '../../review/index.ts';
import { formFromData } from './composer-form.ts';
import { actorOf, type ComposerPage, issuePageUrl, parseQuietly } from './composer-page.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT } from './editor-views.ts';
import { requireAction } from './require-action.ts';

type ReviewStep = 'submit' | 'approve' | 'send-back';

const stepAction: Record<ReviewStep, Action> = {
  submit: 'issue.submit',
  approve: 'issue.approve',
  'send-back': 'issue.approve',
};

/**
 * The review buttons of the issue page: submit for review (editors), approve or send back with
 * a comment (publishers). Each acts on the file as it is now; the page posts the hash it showed,
 * so an approval is of the version the publisher read (refused if the file changed since). A
 * refusal (wrong state, the approver changed it last, an empty comment) shows the page again
 * with the reason, nothing changed.
 */
export function registerComposerReviewRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
  page: ComposerPage,
): void {
  const review = ctx.deps.review;

  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    step: ReviewStep,
    run: (key: string, hash: string, body: Record<string, unknown>) => Promise<unknown>,
  ) {
    const { newsletterId, month, key } = page.paramsOf(request);
    const t = editorT(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const opened = await page.files.open(newsletterId, month);
    const newsletter = await page.loadNewsletter(newsletterId);
    const showRefusal = async (status: number, error: string) => {
      const form = formFromData(parseQuietly(opened.text), opened.hash);
      if (form === null) return reply.redirect(issuePageUrl(newsletterId, month), 303);
      reply.code(status);
      return page.show(request, reply, {
        newsletter,
        month,
        form,
        problems: opened.problems,
        fileHash: opened.hash,
        extras: { error },
        ...(step === 'send-back'
          ? { sendBackComment: String(body.comment ?? '').slice(0, 2000) }
          : {}),
      });
    };
    if (step === 'submit' && opened.problems.length > 0) {
      return showRefusal(
        409,
        t('editor.composer.refusal.problems', { count: opened.problems.length }),
      );
    }
    try {
      await run(key, opened.hash, body);
    } catch (error) {
      if (error instanceof ReviewTransitionError) {
        return showRefusal(409, t(`editor.composer.refusal.${error.refusal}`));
      }
      if (error instanceof ValidationError)
        return showRefusal(400, t('editor.composer.refusal.comment'));
      throw error;
    }
    return reply.redirect(`${issuePageUrl(newsletterId, month)}?done=${step}`, 303);
  }

  const options = (step: ReviewStep) => ({ preHandler: requireAction(stepAction[step]) });

  app.post('/issues/:newsletter/:month/submit', options('submit'), (request, reply) =>
    act(request, reply, 'submit', (key, hash) => review.submit(key, hash, actorOf(request))),
  );
  app.post('/issues/:newsletter/:month/approve', options('approve'), (request, reply) =>
    act(request, reply, 'approve', (key, hash, body) =>
      review.approve(key, hash, actorOf(request), {
        seenHash: typeof body.hash === 'string' ? body.hash.slice(0, 128) : undefined,
      }),
    ),
  );
  app.post('/issues/:newsletter/:month/send-back', options('send-back'), (request, reply) =>
    act(request, reply, 'send-back', (key, hash, body) =>
      review.sendBack(key, hash, actorOf(request), String(body.comment ?? '')),
    ),
  );
}
