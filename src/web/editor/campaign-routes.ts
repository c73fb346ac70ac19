import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  type Campaign,
  CampaignNotFoundError,
  CampaignNotSendableError,
  CampaignRefusedError,
  describeSegment,
} from '../../campaigns/index.ts';
import type { Action } from '../../editors/index.ts';
import type { Locale } from '../../lib/index.ts';
import { pageSecurityHeaders } from '../security-headers.ts';
import { recordCampaignAction } from './campaign-audit.ts';
import { registerCampaignCreateRoutes } from './campaign-create-routes.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import {
  CampaignParamsSchema,
  firstProblem,
  RetryBodySchema,
  ScheduleBodySchema,
} from './campaign-forms.ts';
import { progressJson } from './campaign-progress-json.ts';
import { progressScript, progressScriptHash } from './campaign-progress-script.ts';
import type { EditorContext } from './editor-context.ts';
import { sendEditorError } from './editor-errors.ts';
import { editorLocale, editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';
import { formatZoned, scheduleTimeZones, zonedTimeToInstant } from './zoned-time.ts';

const ListQuerySchema = z.object({
  newsletter: z
    .string()
    .trim()
    .max(60)
    .regex(/^[a-z0-9-]+$/, { error: 'newsletter: expected an id like adn' })
    .optional(),
});
const DoneQuerySchema = z.object({
  done: z.enum(['create', 'send', 'schedule', 'pause', 'resume', 'cancel', 'retry']).optional(),
  count: z.coerce.number().int().nonnegative().optional(),
});

/** What each lifecycle button posts to, and what it runs. */
const lifecycle = {
  send: (deps: CampaignDeps, id: number) => deps.delivery.send(id),
  pause: (deps: CampaignDeps, id: number) => deps.delivery.pause(id),
  resume: (deps: CampaignDeps, id: number) => deps.delivery.resume(id),
  cancel: (deps: CampaignDeps, id: number) => deps.delivery.cancel(id),
} as const;

/**
 * The campaign pages: the list per newsletter, the two-step creation (choose, then review the
 * audience size and confirm), one campaign's page with its live progress, failure replies and
 * actions by role, and the progress JSON its script polls. Every action is checked on the server
 * (`requireAction`: 403, nothing changed), goes through the delivery service — the same calls
 * and queue path as `depeche campaign …` — and is audited with the editor as actor.
 */
export function registerCampaignRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const deps = ctx.deps.campaigns;
  if (!deps) return;
  const newsletterIds = ctx.newsletters.map((n) => n.id);
  const defaultZone = ctx.deps.timeZone ?? 'Europe/Paris';
  const zones = [...new Set([defaultZone, ...scheduleTimeZones])];
  const pageHeaders = pageSecurityHeaders({
    isHttps: ctx.isHttps,
    scriptHashes: [progressScriptHash],
  });

  const record = (
    request: FastifyRequest,
    action: string,
    campaign: Campaign,
    details: Record<string, unknown> = {},
  ) => recordCampaignAction(deps, request, action, campaign, details);

  function parseId(request: FastifyRequest): number | undefined {
    const parsed = CampaignParamsSchema.safeParse(request.params);
    return parsed.success ? parsed.data.id : undefined;
  }

  async function showCampaign(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { notice?: string; error?: string } = {},
  ) {
    const t = editorT(request);
    const locale = editorLocale(request);
    const campaign = await deps!.reader.campaign(id);
    const status = await deps!.reader.status(id);
    const [failures, audienceCount, bounces] = await Promise.all([
      deps!.reader.topFailures(id),
      deps!.reader.audienceSize({ newsletterId: campaign.newsletterId, segment: campaign.segment }),
      deps!.bounces ? deps!.bounces(id, status.sent) : Promise.resolve(null),
    ]);
    const json = progressJson(status, t, locale);
    const is = (...states: string[]) => states.includes(status.status);
    reply.headers(pageHeaders);
    return renderEditorPage(reply, request, 'campaign-page', {
      title: t('editor.campaigns.page_title', { id, issue: campaign.issueKey }),
      notice: extra.notice,
      error: extra.error,
      campaign,
      status,
      text: json.text,
      finished: json.finished,
      isSettled: json.isSettled,
      segmentText:
        describeSegment(campaign.segment) === 'everyone'
          ? t('editor.campaigns.everyone')
          : describeSegment(campaign.segment),
      audienceCount,
      failures,
      bounces: bounces && {
        ...bounces,
        bounceRateText: percentText(bounces.bounceRate, locale, 1),
        complaintRateText: percentText(bounces.complaintRate, locale, 2),
      },
      scheduledText: status.scheduledAt
        ? formatZoned(status.scheduledAt, defaultZone, locale)
        : null,
      startedText: status.startedAt ? formatZoned(status.startedAt, defaultZone, locale) : null,
      finishedText: status.finishedAt ? formatZoned(status.finishedAt, defaultZone, locale) : null,
      progressUrl: `/editor/campaigns/${id}/progress`,
      script: progressScript,
      zones: zones.map((zone) => ({ zone, isDefault: zone === defaultZone })),
      defaultZone,
      allowed: {
        send: is('draft', 'scheduled'),
        schedule: is('draft', 'scheduled'),
        pause: is('sending'),
        resume: is('paused'),
        cancel: is('draft', 'scheduled', 'sending', 'paused'),
        retryFailed: is('done', 'sending', 'paused') && status.failed > 0,
        retryUncertain: is('done', 'sending', 'paused') && status.uncertain > 0,
      },
    });
  }

  /** Runs an action; a state that does not allow it shows the page again with why (409). */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    run: () => Promise<{ campaign: Campaign; query: string }>,
  ) {
    try {
      const { query } = await run();
      return reply.redirect(`/editor/campaigns/${id}?${query}`, 303);
    } catch (error) {
      if (error instanceof CampaignNotSendableError || error instanceof CampaignRefusedError) {
        reply.code(409);
        return showCampaign(request, reply, id, {
          error: editorT(request)('editor.campaigns.refused', { reason: error.message }),
        });
      }
      throw error;
    }
  }

  app.get('/campaigns', async (request, reply) => {
    const query = ListQuerySchema.safeParse(request.query);
    const newsletterId =
      query.success && query.data.newsletter && newsletterIds.includes(query.data.newsletter)
        ? query.data.newsletter
        : newsletterIds[0];
    const campaigns = newsletterId ? await deps.reader.list({ limit: 100, newsletterId }) : [];
    const t = editorT(request);
    return renderEditorPage(reply, request, 'campaign-list', {
      newsletters: ctx.newsletters.map((n) => ({ ...n, isCurrent: n.id === newsletterId })),
      newsletterId,
      campaigns: campaigns.map((c) => ({
        ...c,
        segmentText:
          describeSegment(c.segment) === 'everyone'
            ? t('editor.campaigns.everyone')
            : describeSegment(c.segment),
      })),
    });
  });

  registerCampaignCreateRoutes(app, ctx, deps, newsletterIds);

  app.get('/campaigns/:id', async (request, reply) => {
    const id = parseId(request);
    if (id === undefined) return sendEditorError(request, reply, 404, 'not_found');
    const t = editorT(request);
    const done = DoneQuerySchema.safeParse(request.query);
    const notice =
      done.success && done.data.done
        ? t(`editor.campaigns.done.${done.data.done}`, { count: done.data.count ?? 0 })
        : undefined;
    return showCampaign(request, reply, id, notice ? { notice } : {});
  });

  app.get('/campaigns/:id/progress', async (request, reply) => {
    const id = parseId(request);
    if (id === undefined) return reply.code(404).send({ error: 'campaign id: not found' });
    try {
      const status = await deps.reader.status(id);
      return await reply
        .header('cache-control', 'no-store')
        .send(progressJson(status, editorT(request), editorLocale(request)));
    } catch (error) {
      if (error instanceof CampaignNotFoundError) {
        return reply.code(404).send({ error: error.message });
      }
      throw error;
    }
  });

  for (const [name, run] of Object.entries(lifecycle)) {
    app.post(
      `/campaigns/:id/${name}`,
      { preHandler: requireAction(`campaign.${name}` as Action) },
      async (request, reply) => {
        const id = parseId(request);
        if (id === undefined) return sendEditorError(request, reply, 404, 'not_found');
        return act(request, reply, id, async () => {
          const campaign = await run(deps, id);
          await record(request, name, campaign);
          return { campaign, query: `done=${name}` };
        });
      },
    );
  }

  app.post(
    '/campaigns/:id/schedule',
    { preHandler: requireAction('campaign.schedule') },
    async (request, reply) => {
      const id = parseId(request);
      if (id === undefined) return sendEditorError(request, reply, 404, 'not_found');
      const body = ScheduleBodySchema.safeParse(request.body);
      const at = body.success ? zonedTimeToInstant(body.data.at, body.data.timeZone) : undefined;
      if (!body.success || at === undefined) {
        reply.code(400);
        const reason = body.success
          ? `at: '${body.data.at}' does not exist in ${body.data.timeZone}`
          : firstProblem(body.error);
        return showCampaign(request, reply, id, {
          error: editorT(request)('editor.campaigns.refused', { reason }),
        });
      }
      return act(request, reply, id, async () => {
        const campaign = await deps.delivery.schedule(id, at);
        await record(request, 'schedule', campaign, {
          at: at.toISOString(),
          timeZone: body.data.timeZone,
        });
        return { campaign, query: 'done=schedule' };
      });
    },
  );

  app.post(
    '/campaigns/:id/retry',
    { preHandler: requireAction('campaign.retry') },
    async (request, reply) => {
      const id = parseId(request);
      if (id === undefined) return sendEditorError(request, reply, 404, 'not_found');
      const body = RetryBodySchema.safeParse(request.body);
      if (!body.success) return sendEditorError(request, reply, 400, 'bad_request');
      return act(request, reply, id, async () => {
        const result = await deps.delivery.retry(id, body.data.which);
        await record(request, 'retry', result.campaign, {
          which: body.data.which,
          requeued: result.requeued,
        });
        return { campaign: result.campaign, query: `done=retry&count=${result.requeued}` };
      });
    },
  );
}

/** A rate (0…1) as a percentage in the editor's language, or a dash before any message. */
function percentText(rate: number | null, locale: Locale, digits: number): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(rate);
}
