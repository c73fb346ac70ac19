import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { formatProblem, IssueFileInvalidError } from '../../content/index.ts';
import type { AuditActor } from '../../editors/index.ts';
import { NotFoundError, ValidationError } from '../../lib/index.ts';
import { type IssueLinksService, KnownLinkUrlSchema, linkStatusText } from '../../review/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';
import { editorOf } from './session.ts';

const IssueParamsSchema = z.object({
  newsletter: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  month: z.string().regex(/^\d{4}-(?:0[1-9]|1[0-2])$/),
});

/** The mark and unmark forms: one URL of the issue. */
export const KnownLinkFormSchema = z.object({ url: KnownLinkUrlSchema });

const DoneSchema = z.object({
  done: z.enum(['marked', 'unmarked']).optional().catch(undefined),
});

/** The path of an issue's links page, for the composer's link to it. */
export function issueLinksPath(newsletter: string, month: string): string {
  return `/editor/issues/${newsletter}/${month}/links`;
}

/**
 * The links of an issue as approval checks them (`WebDeps.editor.links`; 404 without it):
 *
 * - `GET /issues/:newsletter/:month/links` (every role): checks every link now, through the
 *   feed poller's address policy, and shows each with its result — ok, broken with its status,
 *   or broken but marked known;
 * - `POST …/links/known` (`url`): marks a link of the issue as known to fail, so it no longer
 *   blocks approval; `POST …/links/unknown` (`url`) removes the mark. Both need `issue.write`
 *   (any editor: the issue asks that "an editor marks each as known"; the publisher who
 *   approves sees the marks in the approval's audit entry), are audited (`issue.link-known`,
 *   `issue.link-unknown`), and answer 400 with the reason for a URL that is not a link of the
 *   issue (or not marked), changing nothing.
 */
export function registerIssueLinksRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const write = { preHandler: requireAction('issue.write') };

  function linksOf(): IssueLinksService {
    if (!ctx.deps.links) throw new NotFoundError('The link check is not available');
    return ctx.deps.links;
  }

  function issueOf(request: FastifyRequest) {
    const parsed = IssueParamsSchema.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError('No such issue');
    const { newsletter, month } = parsed.data;
    return {
      newsletter,
      month,
      key: `${newsletter}/${month}`,
      path: issueLinksPath(newsletter, month),
    };
  }

  const actorOf = (request: FastifyRequest): AuditActor => {
    const editor = editorOf(request);
    return { kind: 'editor', editorId: editor.id, name: editor.email };
  };

  async function showPage(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { error?: string; done?: 'marked' | 'unmarked' | undefined } = {},
  ) {
    const issue = issueOf(request);
    const t = editorT(request);
    let checked;
    try {
      checked = await linksOf().check(issue.key);
    } catch (error) {
      if (!(error instanceof IssueFileInvalidError)) throw error;
      // The file does not pass `depeche check`: its problems, instead of links.
      reply.code(409);
      return renderEditorPage(reply, request, 'issue-links', {
        title: t('editor.issue_links.title', { issue: issue.key }),
        problems: error.problems.map(formatProblem),
      });
    }
    const { report, summary } = checked;
    const whereOf = new Map(summary.failing.map((link) => [link.url, link.where]));
    return renderEditorPage(reply, request, 'issue-links', {
      title: t('editor.issue_links.title', { issue: issue.key }),
      action: issue.path,
      summary,
      error: options.error,
      done: options.done,
      links: report.links.map((link) => ({
        url: link.url,
        where: whereOf.get(link.url) ?? link.path.join('.'),
        result: link.isOk ? 'ok' : link.isKnown ? 'known' : 'broken',
        status: link.isOk ? (link.status?.toString() ?? '') : linkStatusText(link),
        isKnown: link.isKnown,
      })),
    });
  }

  app.get('/issues/:newsletter/:month/links', async (request, reply) => {
    const { done } = DoneSchema.parse(request.query ?? {});
    return showPage(request, reply, { done });
  });

  async function change(request: FastifyRequest, reply: FastifyReply, how: 'marked' | 'unmarked') {
    const issue = issueOf(request);
    const t = editorT(request);
    const form = KnownLinkFormSchema.safeParse(request.body ?? {});
    try {
      if (!form.success) throw new ValidationError('URL: invalid');
      if (how === 'marked') await linksOf().markKnown(issue.key, form.data.url, actorOf(request));
      else await linksOf().unmarkKnown(issue.key, form.data.url, actorOf(request));
    } catch (error) {
      const isRefusal =
        error instanceof ValidationError || (error instanceof NotFoundError && how === 'unmarked');
      if (!isRefusal) throw error;
      reply.code(400);
      const key = !form.success
        ? 'editor.issue_links.error.url'
        : how === 'marked'
          ? 'editor.issue_links.error.not_in_issue'
          : 'editor.issue_links.error.not_marked';
      return showPage(request, reply, {
        error: t(key, { url: form.success ? form.data.url : '' }),
      });
    }
    return reply.redirect(`${issue.path}?done=${how}`, 303);
  }

  app.post('/issues/:newsletter/:month/links/known', write, (request, reply) =>
    change(request, reply, 'marked'),
  );
  app.post('/issues/:newsletter/:month/links/unknown', write, (request, reply) =>
    change(request, reply, 'unmarked'),
  );
}
