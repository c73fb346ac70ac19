import type { FastifyInstance } from 'fastify';

import { CONSENT_VERSION } from '../consent.ts';
import {
  type PageContext,
  pageLocale,
  requestMeta,
  sendMessagePage,
  sendPage,
} from '../page-context.ts';
import { loadTokenSubject, preferencesPath, tokenOf, type TokenParams } from './token-subject.ts';

/**
 * The confirmation link of the double opt-in, `/c/{token}`: the GET shows one button (mail
 * scanners follow links, so a GET confirms nothing); its POST (CSRF-protected) activates the
 * pending subscriptions and records the consent event.
 */
export function registerConfirmRoutes(app: FastifyInstance, ctx: PageContext): void {
  app.get<{ Params: TokenParams }>('/c/*', async (request, reply) => {
    const { subscriber } = await loadTokenSubject(ctx, tokenOf(request), 'confirm');
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
        path: `/c/${tokenOf(request)}`,
        isPrivate: true,
      },
      { csrf: reply.generateCsrf() },
    );
  });

  app.post<{ Params: TokenParams }>(
    '/c/*',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      const { subscriber } = await loadTokenSubject(ctx, tokenOf(request), 'confirm');
      await ctx.deps.subscriptions.confirm(
        subscriber.id,
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
          path: `/c/${tokenOf(request)}`,
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
