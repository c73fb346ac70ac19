import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Locale } from '../lib/index.ts';
import type { ConsentMeta } from '../subscribers/index.ts';
import { countryOptions } from './countries.ts';
import { careerStages } from './forms.ts';
import { negotiateLocale } from './negotiate-locale.ts';
import type { PageFrame, PageViews } from './page-views.ts';
import type { WebDeps, WebNewsletter } from './web-deps.ts';

/** What every route module gets: the app's dependencies and the page views. */
export interface PageContext {
  deps: WebDeps;
  views: PageViews;
  /** Ids of the newsletters that exist, for validation. */
  newsletterIds: readonly string[];
}

/** The page language of a request: `?lang=`, posted `lang`, the subscriber's, Accept-Language. */
export function pageLocale(request: FastifyRequest, subscriberLocale?: string | null): Locale {
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  return negotiateLocale({
    requested: query?.lang ?? (typeof body === 'object' && body !== null ? body.lang : undefined),
    subscriber: subscriberLocale,
    acceptLanguage: request.headers['accept-language'],
  });
}

/**
 * The path of the request without its query, for form actions and the language switch. Leading
 * slashes and backslashes fold into one: `//evil.example/x` must stay a path of this site, not
 * become a link to another.
 */
export function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return `/${path.replace(/^[/\\]+/, '')}`;
}

/**
 * The query parameters of a GET other than `lang`, URL-encoded (`q=%C3%A9v`), for the language
 * switch; empty for other methods: the switch of a page answering a POST leads to the GET page.
 */
export function queryWithoutLang(request: FastifyRequest): string {
  const start = request.url.indexOf('?');
  if (request.method !== 'GET' || start < 0) return '';
  const params = new URLSearchParams(request.url.slice(start + 1));
  params.delete('lang');
  return params.toString();
}

/**
 * Sends a page: the view in the layout, as HTML, never cached (pages may carry a CSRF token).
 * The language switch keeps the query of the request ({@link queryWithoutLang}) unless `frame`
 * gives one.
 */
export function sendPage(
  ctx: PageContext,
  reply: FastifyReply,
  status: number,
  view: string,
  frame: PageFrame,
  data: Record<string, unknown> = {},
): FastifyReply {
  const page = ctx.views.page(
    view,
    { ...frame, query: frame.query ?? queryWithoutLang(reply.request) },
    data,
  );
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page);
}

/**
 * Answers 200 with the `message` view: the page title as heading, then `paragraphs` and an
 * optional `link` (after a confirmation, an unsubscribe, an erasure, a subscription request).
 */
export function sendMessagePage(
  ctx: PageContext,
  reply: FastifyReply,
  frame: PageFrame,
  message: { paragraphs: string[]; link?: { href: string; label: string } },
): FastifyReply {
  return sendPage(ctx, reply, 200, 'message', frame, { heading: frame.title, ...message });
}

/** The consent metadata of a change made from a page: its source, the consent text, the IP. */
export function requestMeta(
  request: FastifyRequest,
  source: string,
  consentVersion?: string,
): ConsentMeta {
  return {
    source,
    ...(consentVersion === undefined ? {} : { consentVersion }),
    ...(request.ip ? { ip: request.ip } : {}),
  };
}

/** The newsletter's description in the page language. */
export function newsletterDescription(
  newsletter: WebNewsletter,
  locale: Locale,
): string | undefined {
  return locale === 'en'
    ? (newsletter.description_en ?? newsletter.description)
    : newsletter.description;
}

/** Options of the profile `<select>`s. */
export function profileOptions(locale: Locale) {
  return { countries: countryOptions(locale === 'fr' ? 'fr-FR' : 'en-GB'), careerStages };
}
