import type { TokenPayload, TokenPurpose } from '../../subscribers/index.ts';
import { LinkGoneError } from '../error-handler.ts';
import type { PageContext } from '../page-context.ts';
import type { WebSubscriber } from '../web-deps.ts';

/** Route parameters of the token pages. */
export interface TokenParams {
  token: string;
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
