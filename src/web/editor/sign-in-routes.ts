import { createHash } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { EditorEmailSchema } from '../../editors/index.ts';
import type { EditorContext } from './editor-context.ts';
import { sendEditorError } from './editor-errors.ts';
import { editorLocale, editorT, renderEditorPage } from './editor-views.ts';
import { EDITOR_COOKIE, EDITOR_PREFIX, sessionCookieOptions } from './session.ts';

/** The window of the sign-in limits. */
const RATE_WINDOW_MS = 15 * 60_000;

const SignInFormSchema = z.object({
  email: EditorEmailSchema,
});

const TokenParamsSchema = z.object({ token: z.string().max(200) });

/** Key of the per-address limit: a hash, so the limiter's store holds no address. */
function addressKey(request: FastifyRequest): string {
  const email = (request.body as Record<string, unknown> | undefined)?.email;
  const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return `editor-sign-in-address:${createHash('sha256').update(normalized).digest('hex')}`;
}

function renderForm(
  request: FastifyRequest,
  reply: FastifyReply,
  values: { email?: string; error?: string; notice?: string },
): FastifyReply {
  const t = editorT(request);
  return renderEditorPage(reply, request, 'editor-sign-in', {
    title: t('editor.sign_in.title'),
    email: values.email ?? '',
    error: values.error,
    notice: values.notice,
  });
}

/**
 * The public sign-in pages: the form (`GET /editor/sign-in`), its POST (same answer whether
 * the address has an account or not, limited per address and per IP), the link's page
 * (`GET /editor/sign-in/:token`, a button only: mail scanners open links) and its POST, which
 * uses the one-time token, opens the session and sets the cookie.
 */
export function registerSignInRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const limits = ctx.deps.rateLimits ?? {};
  const perIp = app.createRateLimit({
    max: limits.perIp ?? 20,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (request) => `editor-sign-in-ip:${request.ip}`,
  });
  const perAddress = app.createRateLimit({
    max: limits.perAddress ?? 5,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: addressKey,
  });
  const print = ctx.deps.printLine ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cookieOptions = sessionCookieOptions(ctx.isHttps, ctx.deps.sessionPolicy);

  app.get('/sign-in', (request, reply) => {
    if (request.editor) return reply.redirect(EDITOR_PREFIX, 303);
    const query = request.query as Record<string, unknown>;
    const t = editorT(request);
    return renderForm(request, reply, {
      ...(query.signed_out === '1' ? { notice: t('editor.sign_in.signed_out') } : {}),
    });
  });

  app.post(
    '/sign-in',
    {
      onRequest: async (request, reply) => {
        const result = await perIp(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', String(result.ttlInSeconds));
          return sendEditorError(request, reply, 429, 'rate');
        }
        return undefined;
      },
      preHandler: async (request, reply) => {
        const result = await perAddress(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', String(result.ttlInSeconds));
          return sendEditorError(request, reply, 429, 'rate');
        }
        return undefined;
      },
    },
    async (request, reply) => {
      const t = editorT(request);
      const parsed = SignInFormSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        const email = (request.body as Record<string, unknown> | undefined)?.email;
        reply.code(400);
        return renderForm(request, reply, {
          email: typeof email === 'string' ? email.slice(0, 254) : '',
          error: t('editor.sign_in.invalid_email'),
        });
      }
      const issued = await ctx.deps.sessions.requestSignIn(parsed.data.email);
      if (issued) {
        await ctx.deps.signInMailer.enqueueSignIn({
          editorId: issued.editor.id,
          token: issued.token,
          locale: issued.editor.locale,
        });
        if (ctx.deps.isPrintingSignInLinks) {
          print(
            `Sign-in link for ${issued.editor.email} (valid 15 minutes): ${ctx.publicUrl}${EDITOR_PREFIX}/sign-in/${issued.token}`,
          );
        }
        request.log.info(
          { event: 'editor.sign-in.requested', editorId: issued.editor.id },
          'sign-in link queued',
        );
      } else {
        request.log.info(
          { event: 'editor.sign-in.requested', editorId: null },
          'sign-in asked for no active account',
        );
      }
      // The same page whatever happened: whether an account has the address is never revealed.
      return renderEditorPage(reply, request, 'editor-message', {
        title: t('editor.sign_in.sent.title'),
        paragraphs: [t('editor.sign_in.sent.body'), t('editor.sign_in.sent.spam')],
      });
    },
  );

  app.get('/sign-in/:token', (request, reply) => {
    const { token } = TokenParamsSchema.parse(request.params);
    const t = editorT(request);
    return renderEditorPage(reply, request, 'editor-sign-in-link', {
      title: t('editor.sign_in.link.title'),
      action: `${EDITOR_PREFIX}/sign-in/${encodeURIComponent(token)}`,
    });
  });

  app.post('/sign-in/:token', async (request, reply) => {
    const { token } = TokenParamsSchema.parse(request.params);
    const signedIn = await ctx.deps.sessions.signIn(token);
    if (!signedIn) {
      const t = editorT(request);
      reply.code(400);
      request.log.info({ event: 'editor.sign-in.refused' }, 'sign-in link refused');
      return renderEditorPage(reply, request, 'editor-message', {
        title: t('editor.sign_in.refused.title'),
        paragraphs: [t('editor.sign_in.refused.body')],
        link: {
          href: `${EDITOR_PREFIX}/sign-in?lang=${editorLocale(request)}`,
          label: t('editor.sign_in.again'),
        },
      });
    }
    // Another account's session in the same browser ends: one browser, one editor.
    if (request.editorSession) await ctx.deps.sessions.signOut(request.editorSession);
    return reply
      .setCookie(EDITOR_COOKIE, signedIn.sessionId, cookieOptions)
      .redirect(EDITOR_PREFIX, 303);
  });
}
