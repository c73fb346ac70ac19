import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Locale } from '../../lib/index.ts';
import type { Subscriber, SubscriberDetails } from '../../subscribers/index.ts';
import {
  EraseFormSchema,
  fieldErrors,
  preferencesRequestSchema,
  unsubscribeFormSchema,
} from '../forms.ts';
import {
  newsletterDescription,
  type PageContext,
  pageLocale,
  profileOptions,
  requestMeta,
  sendMessagePage,
  sendPage,
} from '../page-context.ts';
import { linkOf, type TokenParams, verifyLinkToken } from './token-subject.ts';

type Request = FastifyRequest<{ Params: TokenParams }>;

function subscriberValues(subscriber: Subscriber): Record<string, unknown> {
  return {
    name: subscriber.name ?? '',
    country: subscriber.country ?? '',
    research_field: subscriber.researchField ?? '',
    career_stage: subscriber.careerStage ?? '',
    language: subscriber.locale,
  };
}

function renderPreferences(
  ctx: PageContext,
  request: Request,
  reply: FastifyReply,
  options: {
    status: number;
    details: SubscriberDetails;
    locale: Locale;
    values?: Record<string, unknown>;
    errors?: Record<string, string>;
    notice?: string;
  },
): FastifyReply {
  const { locale } = options;
  const { subscriber, subscriptions } = options.details;
  const t = ctx.views.t(locale);
  const statusOf = new Map(subscriptions.map((s) => [s.newsletterId, s.status]));
  const posted = options.values?.newsletters;
  const chosen =
    options.values === undefined
      ? undefined
      : new Set(
          (Array.isArray(posted) ? posted : posted === undefined ? [] : [posted]).map(String),
        );
  const newsletterChoices = ctx.deps.newsletters.map((newsletter) => {
    const status = statusOf.get(newsletter.id);
    return {
      id: newsletter.id,
      title: newsletter.title,
      description: newsletterDescription(newsletter, locale),
      isChecked: chosen ? chosen.has(newsletter.id) : status === 'active' || status === 'pending',
      status: status === 'pending' ? 'pending' : undefined,
    };
  });
  const subscribedTo = ctx.deps.newsletters
    .filter((newsletter) => ['active', 'pending'].includes(statusOf.get(newsletter.id) ?? ''))
    .map((newsletter) => ({ id: newsletter.id, title: newsletter.title }));
  const errors = options.errors ?? {};
  return sendPage(
    ctx,
    reply,
    options.status,
    'preferences',
    {
      locale,
      title: t('web.preferences.title'),
      path: `/p/${linkOf(request).token}`,
      isPrivate: true,
    },
    {
      csrf: reply.generateCsrf(),
      email: subscriber.email,
      values: options.values ?? subscriberValues(subscriber),
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: options.notice,
      newsletterChoices,
      subscribedTo,
      ...profileOptions(locale),
    },
  );
}

/**
 * The preferences pages of a signed link, `/p/{token}`: newsletters, profile and language;
 * unsubscribe from one or all; download every datum held (JSON); erase everything after a
 * confirmation step. Every form carries a CSRF token; GETs change nothing.
 */
export function registerPreferencesRoutes(app: FastifyInstance, ctx: PageContext): void {
  const preferencesSchema = preferencesRequestSchema(ctx.newsletterIds);
  const unsubscribeSchema = unsubscribeFormSchema(ctx.newsletterIds);
  const verify = verifyLinkToken(ctx, 'preferences');
  const get = { preHandler: verify };
  const post = { preHandler: [app.csrfProtection, verify] };

  app.get<{ Params: TokenParams }>('/p/:token', get, async (request, reply) => {
    const { subscriber, subscriptions } = linkOf(request);
    const locale = pageLocale(request, subscriber.locale);
    const details = { subscriber, subscriptions };
    return renderPreferences(ctx, request, reply, { status: 200, details, locale });
  });

  app.post<{ Params: TokenParams }>('/p/:token', post, async (request, reply) => {
    const { subscriber, subscriptions } = linkOf(request);
    const details = { subscriber, subscriptions };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = preferencesSchema.safeParse(body);
    if (!parsed.success) {
      const locale = pageLocale(request, subscriber.locale);
      const { _csrf: _ignored, ...values } = body;
      const errors = fieldErrors(parsed.error);
      return renderPreferences(ctx, request, reply, {
        status: 400,
        details,
        locale,
        values,
        errors,
      });
    }
    const input = parsed.data;
    await ctx.deps.subscribers.updatePreferences(
      subscriber.id,
      { ...input, profile: { locale: subscriber.locale, ...input.profile } },
      requestMeta(request, 'web'),
    );
    const updated = (await ctx.deps.subscribers.findById(subscriber.id)) ?? details;
    // A changed language applies at once: the saved page speaks the chosen language.
    const locale = input.profile.locale ?? pageLocale(request, subscriber.locale);
    return renderPreferences(ctx, request, reply, {
      status: 200,
      details: updated,
      locale,
      notice: 'web.preferences.saved',
    });
  });

  app.post<{ Params: TokenParams }>('/p/:token/unsubscribe', post, async (request, reply) => {
    const { subscriber, subscriptions } = linkOf(request);
    const details = { subscriber, subscriptions };
    const parsed = unsubscribeSchema.safeParse(request.body ?? {});
    const locale = pageLocale(request, subscriber.locale);
    if (!parsed.success) {
      return renderPreferences(ctx, request, reply, { status: 400, details, locale });
    }
    await ctx.deps.subscribers.unsubscribe(
      subscriber.id,
      parsed.data.newsletter,
      requestMeta(request, 'web'),
    );
    const updated = (await ctx.deps.subscribers.findById(subscriber.id)) ?? details;
    return renderPreferences(ctx, request, reply, {
      status: 200,
      details: updated,
      locale,
      notice: 'web.preferences.unsubscribed',
    });
  });

  app.get<{ Params: TokenParams }>('/p/:token/data.json', get, async (request, reply) => {
    const { subscriber } = linkOf(request);
    const data = await ctx.deps.subscribers.exportData(subscriber.id);
    return reply
      .code(200)
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="mes-donnees.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.get<{ Params: TokenParams }>('/p/:token/erase', get, async (request, reply) => {
    const { subscriber } = linkOf(request);
    const locale = pageLocale(request, subscriber.locale);
    return renderErase(ctx, request, reply, 200, locale, {});
  });

  app.post<{ Params: TokenParams }>('/p/:token/erase', post, async (request, reply) => {
    const { subscriber } = linkOf(request);
    const locale = pageLocale(request, subscriber.locale);
    const parsed = EraseFormSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderErase(ctx, request, reply, 400, locale, fieldErrors(parsed.error));
    }
    await ctx.deps.subscribers.erase(subscriber.id, requestMeta(request, 'web'));
    const t = ctx.views.t(locale);
    return sendMessagePage(
      ctx,
      reply,
      { locale, title: t('web.erased.title'), path: `/subscribe`, isPrivate: true },
      { paragraphs: [t('web.erased.body')] },
    );
  });
}

function renderErase(
  ctx: PageContext,
  request: Request,
  reply: FastifyReply,
  status: number,
  locale: Locale,
  errors: Record<string, string>,
): FastifyReply {
  const t = ctx.views.t(locale);
  const path = `/p/${linkOf(request).token}`;
  return sendPage(
    ctx,
    reply,
    status,
    'erase',
    { locale, title: t('web.erase.title'), path: `${path}/erase`, isPrivate: true },
    {
      csrf: reply.generateCsrf(),
      errors,
      hasErrors: Object.keys(errors).length > 0,
      back: `${path}?lang=${locale}`,
    },
  );
}
