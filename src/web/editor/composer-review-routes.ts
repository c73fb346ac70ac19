import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Issue } from '../../content/index.ts';
import type { Action } from '../../editors/index.ts';
import { ValidationError } from '../../lib/index.ts';
import {
  ApprovalLinksBrokenError,
  type IssueLinksSummary,
  linkStatusText,
  ReviewTransitionError,
} from '../../review/index.ts';
import { formFromData } from './composer-form.ts';
import { actorOf, type ComposerPage, issuePageUrl, parseQuietly } from './composer-page.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT } from './editor-views.ts';
import { requireAction } from './require-action.ts';

type ReviewStep = 'submit' | 'approve' | 'send-back';

/** The links of an issue as the review panel lists them. */
export interface LinkReportView {
  links: Array<{ url: string; isOk: boolean; isKnown: boolean; reason: string | null }>;
}

function linkReportView(summary: IssueLinksSummary): LinkReportView {
  return {
    links: summary.failing.map((link) => ({
      url: link.url,
      isOk: false,
      isKnown: link.isKnown,
      reason: linkStatusText(link),
    })),
  };
}

/** An approval refused on links, carrying the report to show. */
class BrokenLinksRefusal {
  constructor(readonly report: LinkReportView) {}
}

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
    run: (
      key: string,
      hash: string,
      body: Record<string, unknown>,
      issue: Issue | undefined,
    ) => Promise<unknown>,
  ) {
    const { newsletterId, month, key } = page.paramsOf(request);
    const t = editorT(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const opened = await page.files.open(newsletterId, month);
    const newsletter = await page.loadNewsletter(newsletterId);
    const showRefusal = async (status: number, error: string, linkReport?: LinkReportView) => {
      const form = formFromData(parseQuietly(opened.text), opened.hash);
      if (form === null) return reply.redirect(issuePageUrl(newsletterId, month), 303);
      reply.code(status);
      return page.show(request, reply, {
        newsletter,
        month,
        form,
        problems: opened.problems,
        fileHash: opened.hash,
        extras: { error, linkReport },
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
    let done = step as string;
    try {
      const outcome = await run(key, opened.hash, body, opened.issue);
      if (outcome instanceof BrokenLinksRefusal) {
        return showRefusal(409, t('editor.composer.refusal.links'), outcome.report);
      }
      if (typeof outcome === 'number') done = `${step}&links=${outcome}`;
    } catch (error) {
      if (error instanceof ReviewTransitionError) {
        return showRefusal(409, t(`editor.composer.refusal.${error.refusal}`));
      }
      if (error instanceof ValidationError)
        return showRefusal(400, t('editor.composer.refusal.comment'));
      throw error;
    }
    return reply.redirect(`${issuePageUrl(newsletterId, month)}?done=${done}`, 303);
  }

  const options = (step: ReviewStep) => ({ preHandler: requireAction(stepAction[step]) });

  app.post('/issues/:newsletter/:month/submit', options('submit'), (request, reply) =>
    act(request, reply, 'submit', (key, hash) => review.submit(key, hash, actorOf(request))),
  );
  // Approval checks every link first (the review service's link check, as `depeche issue
  // approve` does): a failing link not marked known refuses it, with the failing links listed;
  // otherwise the count checked is shown.
  app.post('/issues/:newsletter/:month/approve', options('approve'), (request, reply) =>
    act(request, reply, 'approve', async (key, hash, body) => {
      try {
        const approved = await review.approve(key, hash, actorOf(request), {
          seenHash: typeof body.hash === 'string' ? body.hash.slice(0, 128) : undefined,
        });
        return approved.links?.checked;
      } catch (error) {
        if (error instanceof ApprovalLinksBrokenError) {
          return new BrokenLinksRefusal(linkReportView(error.summary));
        }
        throw error;
      }
    }),
  );

  // An editor marks a failing link as known (the links service: only a link of the issue,
  // audited `issue.link-known`): it warns instead of blocking the approval.
  app.post(
    '/issues/:newsletter/:month/known-link',
    { preHandler: requireAction('issue.write') },
    async (request, reply) => {
      const { newsletterId, month, key } = page.paramsOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const url = typeof body.url === 'string' ? body.url.trim().slice(0, 2000) : '';
      const links = ctx.deps.links;
      if (!links) return reply.callNotFound();
      // A URL that is no link of the issue: ValidationError, the workspace's 400 page.
      await links.markKnown(key, url, actorOf(request));
      return reply.redirect(`${issuePageUrl(newsletterId, month)}?done=link-known`, 303);
    },
  );
  app.post('/issues/:newsletter/:month/send-back', options('send-back'), (request, reply) =>
    act(request, reply, 'send-back', (key, hash, body) =>
      review.sendBack(key, hash, actorOf(request), String(body.comment ?? '')),
    ),
  );
}
