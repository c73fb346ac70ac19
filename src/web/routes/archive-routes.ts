import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { formatDate } from '../../lib/index.ts';
import { compilePersonalization, greetingFor, personalize } from '../../render/index.ts';
import { PageNotFoundError } from '../error-handler.ts';
import { ArchiveQuerySchema } from '../forms.ts';
import {
  newsletterDescription,
  type PageContext,
  pageLocale,
  pathOf,
  queryWithoutLang,
  sendPage,
} from '../page-context.ts';
import { languageLink } from '../page-views.ts';
import { archivedIssueCsp } from '../security-headers.ts';
import type { WebNewsletter } from '../web-deps.ts';

const ListParamsSchema = z.object({ newsletter: z.string().max(64) });
const IssueParamsSchema = z.object({
  newsletter: z.string().max(64),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
});

/** `fragment` right after the `<body>` tag of `html` (at its start when it has none). */
export function insertAfterBodyTag(html: string, fragment: string): string {
  const body = /<body\b[^>]*>/i.exec(html);
  if (!body) return fragment + html;
  const end = body.index + body[0].length;
  return html.slice(0, end) + fragment + html.slice(end);
}

/**
 * The public archive: `/archive/{newsletter}` lists the sent issues with a search over their
 * subjects and texts (`?q=`), `/archive/{newsletter}/{YYYY-MM}` is the web version of one ("view
 * online", placeholders filled with neutral values: no personal link; a bar on top links back
 * to the list and switches the language), and
 * `/archive/{newsletter}/feed.xml` is its RSS 2.0 feed.
 */
export function registerArchiveRoutes(app: FastifyInstance, ctx: PageContext): void {
  const byId = new Map(ctx.deps.newsletters.map((newsletter) => [newsletter.id, newsletter]));
  const base = ctx.deps.publicUrl.replace(/\/+$/, '');
  const findNewsletter = (id: string): WebNewsletter => {
    const newsletter = byId.get(id);
    if (!newsletter) throw new PageNotFoundError(`No newsletter '${id}'`);
    return newsletter;
  };
  /** The newsletter of `/archive/:newsletter…`; an id no newsletter has (or too long) is 404. */
  const newsletterOf = (params: unknown): WebNewsletter => {
    const parsed = ListParamsSchema.safeParse(params);
    if (!parsed.success) throw new PageNotFoundError('No such newsletter');
    return findNewsletter(parsed.data.newsletter);
  };

  app.get('/archive/:newsletter', async (request, reply) => {
    const newsletter = newsletterOf(request.params);
    const { q } = ArchiveQuerySchema.parse(request.query ?? {});
    const locale = pageLocale(request);
    const t = ctx.views.t(locale);
    const entries = await ctx.deps.archive.listSent({
      newsletterId: newsletter.id,
      locale,
      search: q === '' ? undefined : q,
      limit: 200,
    });
    const path = `/archive/${newsletter.id}`;
    const title = t('web.archive.title', { newsletter: newsletter.title });
    return sendPage(
      ctx,
      reply,
      200,
      'archive-list',
      {
        locale,
        title,
        path,
        feed: { url: `${path}/feed.xml?lang=${locale}`, title: newsletter.title },
      },
      {
        newsletterTitle: newsletter.title,
        description: newsletterDescription(newsletter, locale),
        query: q ?? '',
        entries: entries.map((entry) => ({
          subject: entry.subject,
          excerpt: entry.excerpt,
          date: formatDate(entry.sentAt, locale),
          href: `${path}/${entry.month}?lang=${locale}`,
        })),
        feedUrl: `${path}/feed.xml?lang=${locale}`,
      },
    );
  });

  app.get('/archive/:newsletter/feed.xml', async (request, reply) => {
    const newsletter = newsletterOf(request.params);
    const locale = pageLocale(request);
    const entries = await ctx.deps.archive.listSent({
      newsletterId: newsletter.id,
      locale,
      limit: 50,
    });
    const path = `${base}/archive/${newsletter.id}`;
    const xml = ctx.views.fragment('feed', locale, {
      title: newsletter.title,
      link: `${path}?lang=${locale}`,
      selfUrl: `${path}/feed.xml?lang=${locale}`,
      description: newsletterDescription(newsletter, locale) ?? newsletter.title,
      items: entries.map((entry) => ({
        subject: entry.subject,
        excerpt: entry.excerpt,
        url: `${path}/${entry.month}?lang=${locale}`,
        pubDate: entry.sentAt.toUTCString(),
      })),
    });
    return reply
      .code(200)
      .header('cache-control', 'public, max-age=300')
      .type('application/rss+xml; charset=utf-8')
      .send(xml);
  });

  const issueCsp = archivedIssueCsp();
  app.get('/archive/:newsletter/:month', async (request, reply) => {
    const parsed = IssueParamsSchema.safeParse(request.params);
    if (!parsed.success) throw new PageNotFoundError('No such issue');
    const newsletter = findNewsletter(parsed.data.newsletter);
    const locale = pageLocale(request);
    const issue = await ctx.deps.archive.findSent({
      newsletterId: newsletter.id,
      month: parsed.data.month,
      locale,
    });
    if (!issue) throw new PageNotFoundError('No such issue');
    const { html } = personalize(compilePersonalization(issue), {
      greeting: greetingFor(null, issue.locale),
      unsubscribeUrl: `${base}/subscribe?lang=${issue.locale}`,
      preferencesUrl: `${base}/subscribe?lang=${issue.locale}`,
      viewOnlineUrl: `${base}/archive/${newsletter.id}/${issue.month}?lang=${issue.locale}`,
    });
    // The email as it went out, under a bar with the way back to the list and the language
    // switch of every page (inline styles: the email's policy allows no stylesheet).
    const frame = { path: pathOf(request), query: queryWithoutLang(request) };
    const bar = ctx.views.fragment('archive-bar', issue.locale, {
      newsletterTitle: newsletter.title,
      archiveHref: `/archive/${newsletter.id}?lang=${issue.locale}`,
      languageLinks: { fr: languageLink(frame, 'fr'), en: languageLink(frame, 'en') },
    });
    return reply
      .code(200)
      .header('cache-control', 'public, max-age=300')
      .header('content-security-policy', issueCsp)
      .type('text/html; charset=utf-8')
      .send(insertAfterBodyTag(html, bar));
  });
}
