import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { NotFoundError, ValidationError } from '../lib/index.ts';
import { InvalidTokenError, SubscriberNotFoundError } from '../subscribers/index.ts';
import { type PageContext, pageLocale, pathOf, sendPage } from './page-context.ts';

/** Raised when a valid link names a subscriber who no longer exists (erased). */
export class LinkGoneError extends NotFoundError {
  constructor() {
    super('This link no longer leads anywhere: the subscriber was erased');
  }
}

/** An address of the pages that leads nowhere (an unknown newsletter or issue): 404. */
export class PageNotFoundError extends NotFoundError {}

/**
 * A body its content type parser could not read: 400. Carries `statusCode` too, for the error
 * handlers of the plugins inside the pages' context (the workspace) that read it.
 */
export class MalformedBodyError extends ValidationError {
  readonly statusCode = 400;
}

/** The message page of an error: status and message keys. */
function describe(error: unknown): { status: number; key: string } {
  if (error instanceof InvalidTokenError) {
    return {
      status: error.reason === 'expired' ? 410 : 400,
      key: error.reason === 'expired' ? 'expired' : 'token',
    };
  }
  // A subscriber erased after the link was sent, or between the token check and the write.
  if (error instanceof LinkGoneError || error instanceof SubscriberNotFoundError) {
    return { status: 410, key: 'gone' };
  }
  if (error instanceof PageNotFoundError) return { status: 404, key: 'not_found' };
  if (error instanceof MalformedBodyError) return { status: 400, key: 'bad_request' };
  const status = (error as FastifyError).statusCode ?? 500;
  if (status === 403) return { status, key: 'csrf' };
  if (status === 429) return { status, key: 'rate' };
  if (status === 404) return { status, key: 'not_found' };
  if (status >= 400 && status < 500) return { status, key: 'bad_request' };
  return { status: 500, key: 'server' };
}

/**
 * Maps every error of the pages to a plain page in the visitor's language: a refused token is
 * 400 (410 when expired), a missing or wrong CSRF token 403, a rate limit 429, anything
 * unexpected 500 with its message hidden and logged. Nothing is changed on any of these paths.
 */
export function installErrorHandler(app: FastifyInstance, ctx: PageContext): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, key } = describe(error);
    if (status >= 500) {
      request.log.error({ err: error, event: 'web.request.failed' }, 'request failed');
    } else {
      request.log.info(
        { status, reason: (error as InvalidTokenError).reason ?? key },
        'request refused',
      );
    }
    return sendErrorPage(ctx, request, reply, status, key);
  });
  app.setNotFoundHandler((request, reply) => {
    return sendErrorPage(ctx, request, reply, 404, 'not_found');
  });
}

/** Sends the plain error page `web.error.<key>.*` with `status`. */
export function sendErrorPage(
  ctx: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: string,
): FastifyReply {
  const locale = pageLocale(request);
  const t = ctx.views.t(locale);
  // The language switch of an error page after a POST leads to the GET page of the same path.
  const path =
    request.method === 'GET' ? pathOf(request) : pathOf(request).replace(/\/unsubscribe$/, '');
  return sendPage(
    ctx,
    reply,
    status,
    'message',
    { locale, title: t(`web.error.${key}.title`), path, isPrivate: true },
    {
      heading: t(`web.error.${key}.title`),
      paragraphs: [t(`web.error.${key}.body`)],
      link: { href: `/subscribe?lang=${locale}`, label: t('web.error.home') },
    },
  );
}
