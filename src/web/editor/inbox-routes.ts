import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  type InboxCandidate,
  type InboxPage,
  type InboxQueryInput,
  type InboxService,
  InboxStateFilterSchema,
} from '../../compose/index.ts';
import type { Newsletter } from '../../content/index.ts';
import { AppError, NotFoundError, ValidationError } from '../../lib/index.ts';
import { editorActor } from './account-routes.ts';
import type { EditorContext } from './editor-context.ts';
import { editorLocale, editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';
import { EDITOR_PREFIX, editorOf } from './session.ts';

const INBOX = `${EDITOR_PREFIX}/inbox`;

/** The filter fields of the inbox page's GET form, as the query string names them. */
const filterFields = ['state', 'since', 'section', 'feed', 'q', 'deadline_before', 'sort'] as const;

const text = (max: number) => z.string().max(max).optional();

/** A form's fields: each at most once, bounded; the service checks their meaning. */
const FilterParamsSchema = z.object({
  newsletter: text(100),
  state: text(20),
  since: text(20),
  section: text(100),
  feed: text(2000),
  q: text(400),
  deadline_before: text(20),
  sort: text(20),
  page: text(10),
  done: text(20),
  count: text(10),
});

const idList = z
  .union([z.string().max(20), z.array(z.string().max(20)).max(1000)])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

const BulkFormSchema = z.object({
  newsletter: z.string().max(100),
  ids: idList,
  action: z.enum(['pick', 'dismiss', 'move'], { error: 'expected pick, dismiss or move' }),
  section: text(100),
  back: text(3000),
});

const OneFormSchema = z.object({
  newsletter: z.string().max(100),
  section: text(100),
  issue_title: text(600),
  issue_summary: text(2400),
  text: text(2400),
});

const IdParamsSchema = z.object({ id: z.string().max(20) });

/** Notices after a change (`?done=…&count=…`). */
const notices = new Set(['picked', 'dismissed', 'moved', 'noted']);

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** A query string's fields, one value each (a repeated field keeps its first). */
function singleValues(query: unknown): Record<string, unknown> {
  const raw = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, firstOf(value)]));
}

function problemOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

/** The filters' query string (without the page), to keep them across pages and actions. */
function filterSearch(values: Record<string, string>): URLSearchParams {
  const search = new URLSearchParams();
  if (values.newsletter) search.set('newsletter', values.newsletter);
  for (const field of filterFields) if (values[field]) search.set(field, values[field]);
  return search;
}

function dateOf(candidate: InboxCandidate): Date {
  return candidate.publishedAt ?? candidate.firstSeenAt;
}

/**
 * The inbox (`/editor/inbox`, every role: `candidates.triage`): a newsletter's candidates in a
 * table filtered by the GET form (state, since the last issue, section, feed, free text,
 * deadline) and sorted by date or deadline, 50 a page; the rows' checkboxes pick, dismiss or
 * move many at once; each candidate's page (`/editor/inbox/:id`) notes it, picks it with a
 * rewritten title and summary, dismisses or moves it. Everything works without JavaScript: each
 * action is a form POST (with its CSRF field) answered by a 303 back to the page it came from.
 */
export function registerInboxRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const triage = { preHandler: requireAction('candidates.triage') };
  const service = (): InboxService => {
    if (!ctx.deps.inbox) throw new AppError('ECONFIG', 'The workspace was built without its inbox');
    return ctx.deps.inbox;
  };
  const defaultNewsletter = ctx.newsletters[0]?.id ?? '';
  const newsletterIds = new Set(ctx.newsletters.map((newsletter) => newsletter.id));

  function newsletterOf(raw: unknown): string {
    const id = typeof raw === 'string' && raw !== '' ? raw : defaultNewsletter;
    if (!newsletterIds.has(id)) throw new NotFoundError(`Unknown newsletter '${id}'`);
    return id;
  }

  function sectionsOf(newsletter: Newsletter, locale: 'fr' | 'en', selected?: string) {
    return newsletter.sections.map((section) => ({
      id: section.id,
      title: section.title[locale] ?? section.title.fr,
      isSelected: section.id === selected,
    }));
  }

  function rowOf(candidate: InboxCandidate, newsletter: Newsletter, locale: 'fr' | 'en') {
    const section = newsletter.sections.find((s) => s.id === candidate.sectionId);
    return {
      ...candidate,
      date: dateOf(candidate),
      displayTitle: candidate.issueTitle ?? candidate.title,
      isRewritten: candidate.issueTitle !== null,
      sectionTitle: section ? (section.title[locale] ?? section.title.fr) : candidate.sectionId,
      href: `${INBOX}/${candidate.id}?newsletter=${encodeURIComponent(candidate.newsletterId)}`,
      lastNote: candidate.notes.at(-1) ?? null,
    };
  }

  async function listPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string } = {},
  ): Promise<FastifyReply> {
    const t = editorT(request);
    const locale = editorLocale(request);
    const params = FilterParamsSchema.safeParse(singleValues(request.query));
    const raw = params.success ? params.data : {};
    const newsletterId = newsletterOf(raw.newsletter);
    const values: Record<string, string> = { newsletter: newsletterId };
    for (const field of filterFields) values[field] = raw[field] ?? '';
    const newsletter = await service().newsletter(newsletterId);
    let page: InboxPage | null = null;
    let error = extra.error;
    if (!params.success) {
      error = t('editor.inbox.invalid', { problems: problemOf(params.error) });
    } else {
      try {
        // The form's words, as typed: the service parses them and names what is wrong.
        const fields: Record<string, string | undefined> = {
          newsletterId,
          state: raw.state || undefined,
          since: raw.since || undefined,
          section: raw.section,
          feed: raw.feed,
          q: raw.q,
          deadlineBefore: raw.deadline_before,
          sort: raw.sort || undefined,
          page: raw.page || undefined,
        };
        page = await service().list(fields as InboxQueryInput);
      } catch (failure) {
        if (!(failure instanceof ValidationError)) throw failure;
        error = t('editor.inbox.invalid', { problems: failure.message });
      }
    }
    if (error && reply.statusCode < 400) reply.code(400);
    const search = filterSearch(values);
    const pageUrl = (number: number) => {
      const withPage = new URLSearchParams(search);
      withPage.set('page', String(number));
      return `${INBOX}?${withPage.toString()}`;
    };
    const done = raw.done && notices.has(raw.done) ? raw.done : undefined;
    const count = Number(raw.count ?? 0);
    return renderEditorPage(reply, request, 'inbox', {
      title: t('editor.inbox.title'),
      values,
      error,
      notice: done
        ? t(`editor.inbox.done.${done}`, { count: Number.isSafeInteger(count) ? count : 0 })
        : undefined,
      newsletters: ctx.newsletters.map((n) => ({ ...n, isSelected: n.id === newsletterId })),
      states: InboxStateFilterSchema.options.map((state) => ({
        state,
        isSelected: state === (values.state || 'new'),
      })),
      isSinceAny: values.since === 'any',
      isSortDeadline: values.sort === 'deadline',
      sections: sectionsOf(newsletter, locale, values.section),
      moveSections: sectionsOf(newsletter, locale),
      rows: page?.items.map((item) => rowOf(item, newsletter, locale)) ?? [],
      total: page?.total ?? 0,
      page: page?.query.page ?? 1,
      pageCount: page?.pageCount ?? 1,
      lastIssueSentAt: page?.lastIssueSentAt ?? null,
      previous: page && page.query.page > 1 ? pageUrl(page.query.page - 1) : null,
      next: page && page.query.page < page.pageCount ? pageUrl(page.query.page + 1) : null,
      back: search.toString(),
    });
  }

  app.get('/inbox', triage, (request, reply) => listPage(request, reply));

  app.post('/inbox/bulk', triage, async (request, reply) => {
    const t = editorT(request);
    const form = BulkFormSchema.safeParse(request.body ?? {});
    if (!form.success) throw new ValidationError(`Invalid inbox form: ${problemOf(form.error)}`);
    const newsletterId = newsletterOf(form.data.newsletter);
    const back = new URLSearchParams(form.data.back ?? `newsletter=${newsletterId}`);
    const backTo = (done: string, count: number) => {
      back.set('done', done);
      back.set('count', String(count));
      return `${INBOX}?${back.toString()}`;
    };
    const refuse = (message: string) => {
      reply.code(400);
      request.query = Object.fromEntries(back.entries());
      return listPage(request, reply, { error: message });
    };
    if (form.data.ids.length === 0) return refuse(t('editor.inbox.none_selected'));
    const actor = editorActor(editorOf(request));
    const selection = { newsletterId, ids: form.data.ids };
    try {
      switch (form.data.action) {
        case 'pick': {
          const { ids } = await service().pick(actor, selection);
          return reply.redirect(backTo('picked', ids.length), 303);
        }
        case 'dismiss': {
          const { ids } = await service().dismiss(actor, selection);
          return reply.redirect(backTo('dismissed', ids.length), 303);
        }
        case 'move': {
          if (!form.data.section) return refuse(t('editor.inbox.no_section'));
          const { ids } = await service().move(actor, {
            ...selection,
            sectionId: form.data.section,
          });
          return reply.redirect(backTo('moved', ids.length), 303);
        }
      }
    } catch (error) {
      if (error instanceof ValidationError || error instanceof NotFoundError) {
        return refuse(t('editor.inbox.refused', { problem: error.message }));
      }
      throw error;
    }
  });

  async function candidatePage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string } = {},
  ): Promise<FastifyReply> {
    const t = editorT(request);
    const locale = editorLocale(request);
    const { id } = IdParamsSchema.parse(request.params);
    const query = singleValues(request.query);
    const newsletterId = newsletterOf(query.newsletter);
    const candidate = await service().get(newsletterId, id);
    const newsletter = await service().newsletter(newsletterId);
    const done = typeof query.done === 'string' && notices.has(query.done) ? query.done : null;
    if (extra.error && reply.statusCode < 400) reply.code(400);
    return renderEditorPage(reply, request, 'inbox-candidate', {
      title: candidate.title,
      candidate: rowOf(candidate, newsletter, locale),
      newsletterId,
      error: extra.error,
      notice: done ? t(`editor.inbox.done.${done}`, { count: 1 }) : undefined,
      sections: sectionsOf(newsletter, locale, candidate.sectionId ?? undefined),
      issueTitle: candidate.issueTitle ?? candidate.title,
      issueSummary: candidate.issueSummary ?? candidate.summary,
      back: `${INBOX}?newsletter=${encodeURIComponent(newsletterId)}`,
    });
  }

  app.get('/inbox/:id', triage, (request, reply) => candidatePage(request, reply));

  /** One candidate's POST: runs `change`, then back to its page with a notice. */
  function onePost(
    path: string,
    done: string,
    change: (
      inbox: InboxService,
      request: FastifyRequest,
      input: { newsletterId: string; id: string; form: z.output<typeof OneFormSchema> },
    ) => Promise<unknown>,
  ): void {
    app.post(`/inbox/:id/${path}`, triage, async (request, reply) => {
      const t = editorT(request);
      const { id } = IdParamsSchema.parse(request.params);
      const form = OneFormSchema.safeParse(request.body ?? {});
      if (!form.success) throw new ValidationError(`Invalid inbox form: ${problemOf(form.error)}`);
      const newsletterId = newsletterOf(form.data.newsletter);
      try {
        await change(service(), request, { newsletterId, id, form: form.data });
      } catch (error) {
        if (error instanceof ValidationError) {
          request.query = { newsletter: newsletterId };
          return candidatePage(request, reply, {
            error: t('editor.inbox.refused', { problem: error.message }),
          });
        }
        throw error;
      }
      const search = new URLSearchParams({ newsletter: newsletterId, done });
      return reply.redirect(`${INBOX}/${encodeURIComponent(id)}?${search.toString()}`, 303);
    });
  }

  const actorOf = (request: FastifyRequest) => editorActor(editorOf(request));
  onePost('note', 'noted', (inbox, request, { newsletterId, id, form }) =>
    inbox.note(actorOf(request), { newsletterId, candidateId: id, text: form.text ?? '' }),
  );
  onePost('pick', 'picked', (inbox, request, { newsletterId, id, form }) =>
    inbox.pick(actorOf(request), {
      newsletterId,
      ids: [id],
      sectionId: form.section,
      issueTitle: form.issue_title,
      issueSummary: form.issue_summary,
    }),
  );
  onePost('dismiss', 'dismissed', (inbox, request, { newsletterId, id }) =>
    inbox.dismiss(actorOf(request), { newsletterId, ids: [id] }),
  );
  onePost('move', 'moved', (inbox, request, { newsletterId, id, form }) =>
    inbox.move(actorOf(request), { newsletterId, ids: [id], sectionId: form.section ?? '' }),
  );
}
