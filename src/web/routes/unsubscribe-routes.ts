import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  type PageContext,
  pageLocale,
  requestMeta,
  sendMessagePage,
  sendPage,
} from '../page-context.ts';
import {
  linkOf,
  preferencesPath,
  type TokenParams,
  verifiedTokenOf,
  verifyLinkToken,
} from './token-subject.ts';

/** True for the RFC 8058 body `List-Unsubscribe=One-Click` (form-encoded or multipart). */
export function isOneClickBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const value = (body as Record<string, unknown>)['List-Unsubscribe'];
  return value === 'One-Click';
}

function titleOf(ctx: PageContext, newsletterId: string | undefined, allLabel: string): string {
  if (newsletterId === undefined) return allLabel;
  return (
    ctx.deps.newsletters.find((newsletter) => newsletter.id === newsletterId)?.title ?? newsletterId
  );
}

/**
 * The unsubscribe link of every email, `/u/{token}`.
 *
 * - GET shows a page with one button and changes nothing (mail scanners follow links).
 * - POST with the body `List-Unsubscribe=One-Click` (RFC 8058, sent by mail providers) needs no
 *   CSRF token — it is authenticated by the signed token alone, carries no cookie and renders no
 *   page; it unsubscribes and answers 200, however often repeated.
 * - Any other POST is the page's own button and must carry the page's CSRF token.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, ctx: PageContext): void {
  app.get<{ Params: TokenParams }>(
    '/u/:token',
    { preHandler: verifyLinkToken(ctx, 'unsubscribe') },
    async (request, reply) => {
      const { token, payload, subscriber } = linkOf(request);
      const locale = pageLocale(request, subscriber.locale);
      const t = ctx.views.t(locale);
      return sendPage(
        ctx,
        reply,
        200,
        'unsubscribe',
        {
          locale,
          title: t('web.unsubscribe.title'),
          path: `/u/${token}`,
          isPrivate: true,
        },
        {
          csrf: reply.generateCsrf(),
          newsletterTitle: titleOf(ctx, payload.newsletterId, t('web.unsubscribe.all')),
        },
      );
    },
  );

  const csrfUnlessOneClick = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
  ) => {
    if (isOneClickBody(request.body)) return done();
    return app.csrfProtection(request, reply, done);
  };

  app.post<{ Params: TokenParams }>(
    '/u/:token',
    {
      // One-click reads no subscriber: the token alone, then one SQL statement.
      preHandler: [
        csrfUnlessOneClick,
        verifyLinkToken(ctx, 'unsubscribe', (request) => !isOneClickBody(request.body)),
      ],
    },
    async (request, reply) => {
      if (isOneClickBody(request.body)) {
        // No page and no subscriber read: the token was verified (nothing is read before), then
        // one SQL statement (the UPDATE and its consent events). An erased subscriber changes
        // nothing.
        const { payload } = verifiedTokenOf(request);
        await ctx.deps.subscribers.unsubscribe(
          payload.subscriberId,
          payload.newsletterId ?? 'all',
          requestMeta(request, 'one-click'),
        );
        return reply
          .code(200)
          .header('cache-control', 'no-store')
          .type('text/plain; charset=utf-8')
          .send('OK\n');
      }
      const { token, payload, subscriber } = linkOf(request);
      await ctx.deps.subscribers.unsubscribe(
        subscriber.id,
        payload.newsletterId ?? 'all',
        requestMeta(request, 'web'),
      );
      const locale = pageLocale(request, subscriber.locale);
      const t = ctx.views.t(locale);
      return sendMessagePage(
        ctx,
        reply,
        {
          locale,
          title: t('web.unsubscribed.title'),
          path: `/u/${token}`,
          isPrivate: true,
        },
        {
          paragraphs: [
            t('web.unsubscribed.body', {
              newsletter: titleOf(ctx, payload.newsletterId, t('web.unsubscribe.all')),
            }),
          ],
          link: {
            href: `${preferencesPath(ctx, subscriber.id)}?lang=${locale}`,
            label: t('web.unsubscribed.preferences'),
          },
        },
      );
    },
  );
}
