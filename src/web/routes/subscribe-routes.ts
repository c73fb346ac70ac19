import { createHash } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Locale } from '../../lib/index.ts';
import { CONSENT_VERSION } from '../consent.ts';
import { sendErrorPage } from '../error-handler.ts';
import { fieldErrors, subscribeRequestSchema } from '../forms.ts';
import {
  newsletterDescription,
  type PageContext,
  pageLocale,
  profileOptions,
  requestMeta,
  sendMessagePage,
  sendPage,
} from '../page-context.ts';
import { defaultRetention } from '../web-deps.ts';

type FormValues = Record<string, unknown>;

function renderForm(
  ctx: PageContext,
  reply: FastifyReply,
  status: number,
  locale: Locale,
  values: FormValues,
  errors: Record<string, string>,
): FastifyReply {
  const t = ctx.views.t(locale);
  const chosen = new Set(
    Array.isArray(values.newsletters)
      ? values.newsletters.map(String)
      : typeof values.newsletters === 'string'
        ? [values.newsletters]
        : [],
  );
  const newsletterChoices = ctx.deps.newsletters.map((newsletter) => ({
    id: newsletter.id,
    title: newsletter.title,
    description: newsletterDescription(newsletter, locale),
    isChecked: chosen.has(newsletter.id) || ctx.deps.newsletters.length === 1,
  }));
  const hasProfile = ['name', 'country', 'research_field', 'career_stage'].some(
    (field) => typeof values[field] === 'string' && values[field] !== '',
  );
  return sendPage(
    ctx,
    reply,
    status,
    'subscribe',
    { locale, title: t('web.subscribe.title'), path: '/subscribe' },
    {
      csrf: reply.generateCsrf(),
      values: { language: locale, ...values },
      errors,
      hasErrors: Object.keys(errors).length > 0,
      hasProfile: hasProfile || Object.keys(errors).some((field) => field !== 'email'),
      newsletterChoices,
      ...profileOptions(locale),
    },
  );
}

/** Key of the per-address rate limit: a hash, so the limiter's store holds no address. */
function addressKey(request: FastifyRequest): string {
  const email = (request.body as Record<string, unknown> | undefined)?.email;
  const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return `subscribe-address:${createHash('sha256').update(normalized).digest('hex')}`;
}

/**
 * The subscribe form (`GET /subscribe`, `/` redirects to it), its POST (double opt-in), the
 * "check your inbox" page and the privacy notice (`GET /privacy`).
 */
export function registerSubscribeRoutes(app: FastifyInstance, ctx: PageContext): void {
  const limits = ctx.deps.rateLimits ?? {};
  const perIp = app.createRateLimit({
    max: limits.perIpPerMinute ?? 10,
    timeWindow: 60_000,
    keyGenerator: (request) => `subscribe-ip:${request.ip}`,
  });
  const perAddress = app.createRateLimit({
    max: limits.perAddressPerHour ?? 5,
    timeWindow: 3_600_000,
    keyGenerator: addressKey,
  });
  const schema = subscribeRequestSchema(ctx.newsletterIds);

  app.get('/', (request, reply) => reply.redirect(`/subscribe?lang=${pageLocale(request)}`));

  app.get('/subscribe', (request, reply) => {
    const locale = pageLocale(request);
    return renderForm(ctx, reply, 200, locale, {}, {});
  });

  app.post(
    '/subscribe',
    {
      onRequest: async (request, reply) => {
        const result = await perIp(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', String(result.ttlInSeconds));
          return sendErrorPage(ctx, request, reply, 429, 'rate');
        }
        return undefined;
      },
      preHandler: [
        app.csrfProtection,
        async (request, reply) => {
          const result = await perAddress(request);
          if (!result.isAllowed && result.isExceeded) {
            reply.header('retry-after', String(result.ttlInSeconds));
            return sendErrorPage(ctx, request, reply, 429, 'rate');
          }
          return undefined;
        },
      ],
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as FormValues;
      const locale = pageLocale(request);
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        const { _csrf: _ignored, ...values } = body;
        return renderForm(ctx, reply, 400, locale, values, fieldErrors(parsed.error));
      }
      const { isHoneypotFilled, input } = parsed.data;
      if (isHoneypotFilled) {
        request.log.info({ event: 'web.subscribe.honeypot' }, 'honeypot filled, nothing recorded');
      } else {
        const profileLocale = input.profile.locale ?? locale;
        const { subscriber, pendingNewsletterIds } = await ctx.deps.subscribers.subscribe(
          { ...input, profile: { ...input.profile, locale: profileLocale } },
          requestMeta(request, 'web', CONSENT_VERSION),
        );
        if (subscriber !== null && pendingNewsletterIds.length > 0) {
          await ctx.deps.confirmationMailer.enqueueConfirmation({
            subscriberId: subscriber.id,
            locale: profileLocale,
          });
        }
      }
      // The same page whatever happened: whether the address was known is never revealed.
      const t = ctx.views.t(locale);
      return sendMessagePage(
        ctx,
        reply,
        { locale, title: t('web.subscribed.title'), path: '/subscribe' },
        { paragraphs: [t('web.subscribed.body'), t('web.subscribed.spam')] },
      );
    },
  );

  app.get('/privacy', (request, reply) => {
    const locale = pageLocale(request);
    const t = ctx.views.t(locale);
    return sendPage(
      ctx,
      reply,
      200,
      'privacy',
      { locale, title: t('web.privacy.title'), path: '/privacy' },
      { consentVersion: CONSENT_VERSION, retention: ctx.deps.retention ?? defaultRetention },
    );
  });
}
