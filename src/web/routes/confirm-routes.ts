import type { FastifyInstance } from 'fastify';

import { CONSENT_VERSION } from '../consent.ts';
import {
  type PageContext,
  pageLocale,
  requestMeta,
  sendMessagePage,
  sendPage,
} from '../page-context.ts';
import { linkOf, preferencesPath, type TokenParams, verifyLinkToken } from './token-subject.ts';

/**
 * The confirmation link of the double opt-in, `/c/{token}`: the GET shows one button (mail
 * scanners follow links, so a GET confirms nothing); its POST (CSRF-protected) activates the
 * pending subscriptions and records the consent event.
 */
export function registerConfirmRoutes(app: FastifyInstance, ctx: PageContext): void {
  const verify = verifyLinkToken(ctx, 'confirm');
  app.get<{ Params: TokenParams }>('/c/:token', { preHandler: verify }, async (request, reply) => {
    const { token, subscriber } = linkOf(request);
    const locale = pageLocale(request, subscriber.locale);
    const t = ctx.views.t(locale);
    return sendPage(
      ctx,
      reply,
      200,
      'confirm',
      {
        locale,
        title: t('web.confirm.title'),
        path: `/c/${token}`,
        isPrivate: true,
      },
      { csrf: reply.generateCsrf() },
    );
  });

  app.post<{ Params: TokenParams }>(
    '/c/:token',
    { preHandler: [app.csrfProtection, verify] },
    async (request, reply) => {
      const { token, subscriber } = linkOf(request);
      await ctx.deps.subscribers.confirm(
        subscriber.id,
        undefined,
        requestMeta(request, 'web', CONSENT_VERSION),
      );
      const locale = pageLocale(request, subscriber.locale);
      const t = ctx.views.t(locale);
      return sendMessagePage(
        ctx,
        reply,
        {
          locale,
          title: t('web.confirmed.title'),
          path: `/c/${token}`,
          isPrivate: true,
        },
        {
          paragraphs: [t('web.confirmed.body')],
          link: {
            href: `${preferencesPath(ctx, subscriber.id)}?lang=${locale}`,
            label: t('web.confirmed.preferences'),
          },
        },
      );
    },
  );
}
