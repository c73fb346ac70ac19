import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

import type { SubscriberDetails, TokenPayload, TokenPurpose } from '../../subscribers/index.ts';
import { LinkGoneError } from '../error-handler.ts';
import type { PageContext } from '../page-context.ts';

/**
 * Route parameters of the token pages (`/p/:token`, `/c/:token`, `/u/:token`); a token is longer
 * than the router's default parameter cap, raised by `server.ts` (`MAX_PARAM_LENGTH`).
 */
export interface TokenParams {
  token: string;
}

/** The verified link of a token page, set by {@link verifyLinkToken}. */
export interface LinkSubject {
  /** The token as it appears in the path. */
  token: string;
  payload: TokenPayload;
  /**
   * The subscriber it names and their subscriptions; absent when the route asked not to load
   * them (the one-click POST).
   */
  details?: SubscriberDetails;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `verifyLinkToken` preHandler of the token pages. */
    link: LinkSubject | null;
  }
}

/** Declares `request.link` on `app` (once, before the token routes). */
export function decorateLink(app: FastifyInstance): void {
  app.decorateRequest('link', null);
}

/**
 * The preHandler of a token page: verifies `:token` for `purpose` (throws `InvalidTokenError`:
 * the error handler answers 400, or 410 when expired), then loads the subscriber it names
 * (throws {@link LinkGoneError}, 410, when erased) unless `isLoadingSubscriber` says not to, and
 * sets `request.link`. Nothing is read or written before the signature is checked.
 */
export function verifyLinkToken(
  ctx: PageContext,
  purpose: TokenPurpose,
  isLoadingSubscriber: (request: FastifyRequest) => boolean = () => true,
): preHandlerAsyncHookHandler {
  return async (request) => {
    const { token } = request.params as TokenParams;
    const payload = ctx.deps.tokens.verify(token, purpose, ctx.deps.clock.now());
    if (!isLoadingSubscriber(request)) {
      request.link = { token, payload };
      return;
    }
    const details = await ctx.deps.subscribers.findById(payload.subscriberId);
    if (details === null) throw new LinkGoneError();
    request.link = { token, payload, details };
  };
}

/** The verified token of a request its route's {@link verifyLinkToken} let through. */
export function verifiedTokenOf(request: FastifyRequest): LinkSubject {
  if (request.link === null) throw new Error('Token page without its verifyLinkToken preHandler');
  return request.link;
}

/**
 * The verified link, its subscriber and their subscriptions, on a route whose
 * {@link verifyLinkToken} loads them.
 */
export function linkOf(request: FastifyRequest): Omit<LinkSubject, 'details'> & SubscriberDetails {
  const { details, ...link } = verifiedTokenOf(request);
  if (details === undefined) throw new Error('Token page whose subscriber was not loaded');
  return { ...link, ...details };
}

/** The preferences link of a subscriber (never expires, like the one in every email). */
export function preferencesPath(ctx: PageContext, subscriberId: number): string {
  return `/p/${ctx.deps.tokens.sign({ purpose: 'preferences', subscriberId })}`;
}
