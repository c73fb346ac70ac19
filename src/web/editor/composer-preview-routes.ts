import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { LocaleSchema } from '../../lib/index.ts';
import { parseComposerForm } from './composer-form.ts';
import type { ComposerPage } from './composer-page.ts';
import type { EditorContext } from './editor-context.ts';
import { previewResponse, sendFieldProblems } from './preview-routes.ts';

/** The composer form is a whole issue. */
const PREVIEW_BODY_LIMIT = 512 * 1024;

const FramesQuerySchema = z.object({
  locale: LocaleSchema.optional(),
  width: z.enum(['600', '375']).optional(),
  part: z.enum(['html', 'text']).default('html'),
});

/**
 * `POST /issues/:newsletter/:month/issue-json`: the form's content as issue JSON (422 with
 * check's problems), for the test-send form.
 *
 * `POST /issues/:newsletter/:month/preview-form?locale=&width=&part=`: the preview of the
 * composer's form as it stands, saved or not, posted by a preview button into its iframe (with
 * JavaScript, the page presses them after each change). The form is read with the same mapping
 * as a save and rendered by the preview pages' `previewResponse` (the campaign's render path);
 * content `depeche check` refuses answers 422 with each problem and where it is.
 */
export function registerComposerPreviewRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
  page: ComposerPage,
): void {
  if (!ctx.deps.preview) return;
  app.post(
    '/issues/:newsletter/:month/preview-form',
    { bodyLimit: PREVIEW_BODY_LIMIT },
    async (request, reply) => {
      const { newsletterId, month } = page.paramsOf(request);
      const query = FramesQuerySchema.safeParse(request.query ?? {});
      const options = query.success ? query.data : FramesQuerySchema.parse({});
      const newsletter = await page.loadNewsletter(newsletterId);
      const form = parseComposerForm(request.body ?? {});
      const checked = page.check(newsletter, month, form);
      if (!checked.issue) {
        return sendFieldProblems(
          request,
          reply,
          checked.problems.map((problem) => ({
            field: problem.location === '' ? 'issue' : problem.location,
            message: problem.message,
          })),
        );
      }
      return previewResponse(reply, ctx, checked.issue, newsletter, options);
    },
  );

  // The form's content as the issue JSON the test-send form carries: the page's script asks it
  // just before a test send, so the copy is of the form as it stands.
  app.post(
    '/issues/:newsletter/:month/issue-json',
    { bodyLimit: PREVIEW_BODY_LIMIT },
    async (request, reply) => {
      const { newsletterId, month } = page.paramsOf(request);
      const newsletter = await page.loadNewsletter(newsletterId);
      const checked = page.check(newsletter, month, parseComposerForm(request.body ?? {}));
      reply.header('cache-control', 'no-store');
      if (!checked.issue) return reply.code(422).send({ problems: checked.problems });
      return reply.send({ issue: checked.issue });
    },
  );
}
