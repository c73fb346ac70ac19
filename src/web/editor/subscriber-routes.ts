import { pipeline, Readable } from 'node:stream';

import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { NotFoundError, ValidationError } from '../../lib/index.ts';
import {
  exportColumns,
  exportRecord,
  LiftNoteSchema,
  SubscriptionStatusSchema,
  tryNormalizeEmail,
} from '../../subscribers/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';
import type { SubscriberPagesDeps } from './subscriber-deps.ts';
import { registerSubscriberImportRoutes } from './subscriber-import-routes.ts';
import {
  consentMetaOf,
  pagerOf,
  pageSize,
  recordAudit,
  subscriberPagesOf,
  subscribersPath,
} from './subscriber-pages.ts';

const PageSchema = z.coerce
  .number({ error: 'page: expected a page number' })
  .int('page: expected a whole page number')
  .min(1, 'page: expected a page number from 1')
  .max(100_000, 'page: expected a page number up to 100000')
  .default(1);

const SearchQuerySchema = z.object({
  q: z
    .string({ error: 'q: expected text' })
    .trim()
    .max(254, 'q: at most 254 characters')
    .default(''),
  page: PageSchema,
});

const SubscriberIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const EmailHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected the hash of an address');

const ListPageQuerySchema = z.object({
  page: PageSchema,
  done: z.enum(['added', 'lifted']).optional().catch(undefined),
});

const SuppressionFormSchema = z.object({
  email: z.string({ error: 'email: expected an address' }).trim().max(254),
  note: z.string({ error: 'note: expected text' }).trim().max(500).default(''),
});

const LiftFormSchema = z.object({
  note: z.string({ error: 'note: expected text' }).default(''),
});

/** Parses `input` or throws a ValidationError naming where (the 400 page). */
function parseOr400<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    throw new ValidationError(
      `${where}: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  return result.data;
}

/** The start of a hash, as the suppression list shows an address that no row has any more. */
const hashPrefix = (hash: string) => `${hash.slice(0, 12)}…`;

/**
 * The subscriber pages of the workspace (admins only, `subscribers.manage` and
 * `suppressions.manage`): search, one subscriber's page, CSV export, the suppressions (list,
 * add, lift) and the CSV import (`subscriber-import-routes.ts`). Every change and every export
 * is recorded in the audit log with the editor as actor.
 */
export async function registerSubscriberRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
): Promise<void> {
  const deps = subscriberPagesOf(ctx);
  if (deps === undefined) return;
  const manage = { preHandler: requireAction('subscribers.manage') };
  const suppressions = { preHandler: requireAction('suppressions.manage') };
  const newsletterIds = ctx.newsletters.map((newsletter) => newsletter.id);

  app.get('/subscribers', manage, async (request, reply) => {
    const query = parseOr400(SearchQuerySchema, request.query, 'search');
    const t = editorT(request);
    const found = await deps.service.search(query.q, {
      limit: pageSize,
      offset: (query.page - 1) * pageSize,
    });
    const rows = found.rows.map(({ subscriber, subscriptions }) => ({
      id: subscriber.id,
      email: subscriber.email,
      name: subscriber.name,
      states: newsletterIds.map((id) => {
        const status = subscriptions.find((s) => s.newsletterId === id)?.status;
        return {
          status: status ?? 'none',
          label: t(`editor.subscribers.status.${status ?? 'none'}`),
        };
      }),
    }));
    return renderEditorPage(reply, request, 'subscribers-list', {
      title: t('editor.subscribers.list.title'),
      q: query.q,
      rows,
      newsletters: ctx.newsletters,
      statuses: SubscriptionStatusSchema.options,
      pager: pagerOf(subscribersPath, { q: query.q }, query.page, found.hasMore),
    });
  });

  app.get('/subscribers/export', manage, async (request, reply) => {
    const filter = parseOr400(
      z.object({
        newsletter: z
          .union([
            z.literal(''),
            z.enum(newsletterIds, { error: 'newsletter: unknown newsletter' }),
          ])
          .default(''),
        status: z
          .union([z.literal(''), SubscriptionStatusSchema], {
            error: 'status: expected pending, active or unsubscribed',
          })
          .default(''),
      }),
      request.query,
      'export',
    );
    const newsletterId = filter.newsletter === '' ? undefined : filter.newsletter;
    const status = filter.status === '' ? undefined : filter.status;
    await recordAudit(deps, request, {
      action: 'subscribers.export',
      objectType: 'newsletter',
      objectId: newsletterId ?? null,
      details: { newsletter: newsletterId ?? null, status: status ?? null },
    });
    const day = deps.clock.now().toISOString().slice(0, 10);
    const name = ['subscribers', newsletterId, status, day].filter(Boolean).join('-');
    const rows = async function* () {
      for await (const row of deps.service.exportRows({ newsletterId, status })) {
        yield exportRecord(row);
      }
    };
    const csv = pipeline(
      Readable.from(rows()),
      stringify({ header: true, columns: [...exportColumns] }),
      (error) => {
        if (error)
          request.log.error({ err: error, event: 'subscribers.export.failed' }, 'export failed');
      },
    );
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(csv);
  });

  app.get('/subscribers/suppressions', suppressions, async (request, reply) =>
    renderSuppressions(
      deps,
      request,
      reply,
      parseOr400(ListPageQuerySchema, request.query, 'page'),
    ),
  );

  app.post('/subscribers/suppressions', suppressions, async (request, reply) => {
    const t = editorT(request);
    const form = parseOr400(SuppressionFormSchema, request.body, 'suppression');
    const email = tryNormalizeEmail(form.email);
    if (email === undefined) {
      reply.code(400);
      return renderSuppressions(
        deps,
        request,
        reply,
        { page: 1 },
        {
          addError: t('editor.subscribers.suppressions.error.email'),
          email: form.email,
          note: form.note,
        },
      );
    }
    const suppression = await deps.service.suppress(
      email,
      'manual',
      form.note === '' ? null : form.note,
      consentMetaOf(request),
    );
    await recordAudit(deps, request, {
      action: 'suppression.add',
      objectType: 'suppression',
      objectId: suppression.emailHash,
      // the reason stored: a stronger one (complaint, erased) stays
      details: { reason: 'manual', stored: suppression.reason, note: form.note || null },
    });
    return reply.redirect(`${subscribersPath}/suppressions?done=added`, 303);
  });

  app.post<{ Params: { hash: string } }>(
    '/subscribers/suppressions/:hash/lift',
    suppressions,
    async (request, reply) => {
      const hash = EmailHashSchema.safeParse(request.params.hash);
      if (!hash.success) throw new NotFoundError('No such suppression');
      const form = parseOr400(LiftFormSchema, request.body, 'lift');
      const note = LiftNoteSchema.safeParse(form.note);
      if (!note.success) {
        reply.code(400);
        return renderSuppressions(
          deps,
          request,
          reply,
          { page: 1 },
          {
            liftError: {
              hash: hash.data,
              message: editorT(request)('editor.subscribers.suppressions.error.note'),
            },
          },
        );
      }
      const lifted = await deps.service.liftSuppressionByHash(
        hash.data,
        note.data,
        consentMetaOf(request),
      );
      if (lifted === null) throw new NotFoundError('No such suppression');
      await recordAudit(deps, request, {
        action: 'suppression.lift',
        objectType: 'suppression',
        objectId: hash.data,
        details: { reason: lifted.reason, note: note.data },
      });
      return reply.redirect(`${subscribersPath}/suppressions?done=lifted`, 303);
    },
  );

  registerSubscriberImportRoutes(app, ctx, deps);

  app.get<{ Params: { id: string } }>('/subscribers/:id', manage, async (request, reply) => {
    const id = SubscriberIdSchema.safeParse(request.params.id);
    if (!id.success) throw new NotFoundError('No such subscriber');
    const data = await deps.service.exportData(id.data);
    const { subscriber } = data;
    if (subscriber === null) throw new NotFoundError('No such subscriber');
    const t = editorT(request);
    const titleOf = (newsletterId: unknown) =>
      ctx.newsletters.find((n) => n.id === newsletterId)?.title ?? String(newsletterId ?? '');
    return renderEditorPage(reply, request, 'subscribers-profile', {
      title: subscriber.email,
      subscriber,
      careerStage: subscriber.careerStage
        ? t(`editor.subscribers.stage.${subscriber.careerStage}`)
        : null,
      attributes: Object.entries(subscriber.attributes).map(([key, value]) => ({
        key,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      })),
      subscriptions: data.subscriptions.map((s) => ({
        ...s,
        title: titleOf(s.newsletterId),
        label: t(`editor.subscribers.status.${s.status}`),
      })),
      events: data.consentEvents
        .toSorted((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime())
        .map((event) => ({
          ...event,
          label: t(`editor.subscribers.event.${event.kind}`),
          newsletter: event.newsletterId === null ? null : titleOf(event.newsletterId),
          details: Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '',
        })),
      deliveries: data.deliveries.map((row) => ({
        campaignId: row.campaign_id,
        newsletter: titleOf(row.newsletter_id),
        issueKey: row.issue_key,
        status: row.status,
        attempts: row.attempts,
        sentAt: row.sent_at,
        updatedAt: row.updated_at,
      })),
      suppression: data.suppression
        ? { ...data.suppression, label: t(`editor.subscribers.reason.${data.suppression.reason}`) }
        : null,
    });
  });
}

/** The suppressions page, with the forms' errors when a POST was refused. */
async function renderSuppressions(
  deps: SubscriberPagesDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  query: { page: number; done?: 'added' | 'lifted' | undefined },
  form: {
    addError?: string;
    email?: string;
    note?: string;
    liftError?: { hash: string; message: string };
  } = {},
): Promise<FastifyReply> {
  const t = editorT(request);
  const found = await deps.service.listSuppressionPage({
    limit: pageSize,
    offset: (query.page - 1) * pageSize,
  });
  const rows = found.rows.map((row, index) => ({
    ...row,
    index,
    shown: row.email ?? hashPrefix(row.emailHash),
    isHashOnly: row.email === null,
    label: t(`editor.subscribers.reason.${row.reason}`),
    liftError: form.liftError?.hash === row.emailHash ? form.liftError.message : null,
  }));
  return renderEditorPage(reply, request, 'subscribers-suppressions', {
    title: t('editor.subscribers.suppressions.title'),
    rows,
    notice: query.done ? t(`editor.subscribers.suppressions.done.${query.done}`) : undefined,
    pager: pagerOf(`${subscribersPath}/suppressions`, {}, query.page, found.hasMore),
    ...form,
  });
}
