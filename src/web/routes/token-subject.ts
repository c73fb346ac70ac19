import type { FastifyRequest } from 'fastify';

import type { TokenPayload, TokenPurpose } from '../../subscribers/index.ts';
import { LinkGoneError } from '../error-handler.ts';
import type { PageContext } from '../page-context.ts';
import type { WebSubscriber } from '../web-deps.ts';

/**
 * Route parameters of the token pages. Their routes are wildcards (`/u/*`): a parametric
 * segment is capped at the router's `maxParamLength` (100 by default, answered 414), and a
 * token carrying an expiry and a newsletter id is longer than that.
 */
export interface TokenParams {
  '*': string;
}

/** The token of a token page and what follows it: `/p/{token}/erase` → `{ token, action: 'erase' }`. */
export function tokenPath(request: FastifyRequest<{ Params: TokenParams }>): {
  token: string;
  action: string;
} {
  const rest = request.params['*'];
  const slash = rest.indexOf('/');
  return slash < 0
    ? { token: rest, action: '' }
    : { token: rest.slice(0, slash), action: rest.slice(slash + 1) };
}

/** The token of a page that has no sub-path (`/c/{token}`, `/u/{token}`); 404 otherwise. */
export function tokenOf(request: FastifyRequest<{ Params: TokenParams }>): string {
  const { token, action } = tokenPath(request);
  if (action !== '') throw Object.assign(new Error('No such page'), { statusCode: 404 });
  return token;
}

/**
 * Verifies `token` for `purpose` (throws `InvalidTokenError`: the error handler answers 400, or
 * 410 when expired) and loads the subscriber it names (throws {@link LinkGoneError}, 410, when
 * erased). Nothing is read or written before the signature is checked.
 */
export async function loadTokenSubject(
  ctx: PageContext,
  token: string,
  purpose: TokenPurpose,
): Promise<{ payload: TokenPayload; subscriber: WebSubscriber }> {
  const payload = ctx.deps.tokens.verify(token, purpose, ctx.deps.clock.now());
  const subscriber = await ctx.deps.subscriptions.findById(payload.subscriberId);
  if (subscriber === null) throw new LinkGoneError();
  return { payload, subscriber };
}

/** The preferences link of a subscriber (never expires, like the one in every email). */
export function preferencesPath(ctx: PageContext, subscriberId: number): string {
  return `/p/${ctx.deps.tokens.sign({ purpose: 'preferences', subscriberId })}`;
}
