import { readFile } from 'node:fs/promises';

import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

import { editorPlugin } from './editor/editor-plugin.ts';
import { installErrorHandler, MalformedBodyError } from './error-handler.ts';
import { multipartBoundary, parseMultipartFields } from './multipart-fields.ts';
import type { PageContext } from './page-context.ts';
import { loadPageViews } from './page-views.ts';
import { registerArchiveRoutes } from './routes/archive-routes.ts';
import { registerConfirmRoutes } from './routes/confirm-routes.ts';
import { registerPreferencesRoutes } from './routes/preferences-routes.ts';
import { registerSubscribeRoutes } from './routes/subscribe-routes.ts';
import { decorateLink } from './routes/token-subject.ts';
import { registerUnsubscribeRoutes } from './routes/unsubscribe-routes.ts';
import { pageSecurityHeaders } from './security-headers.ts';
import { createServer, type ServerOptions } from './server.ts';
import type { WebDeps } from './web-deps.ts';

const stylesheetUrl = new URL('./assets/style.css', import.meta.url);

/** Largest form body accepted, in bytes: the forms are small. */
const FORM_BODY_LIMIT = 16 * 1024;

/**
 * The public subscription pages as a Fastify plugin: subscribe (double opt-in), confirm,
 * preferences, one-click unsubscribe, data download and erasure, privacy notice and archive.
 * Registers its own security headers (helmet's), cookie, CSRF and rate-limit plugins, form and multipart parsers and
 * error pages inside its encapsulation context, so routes added beside it (ops, metrics) are not
 * affected.
 */
export const webPlugin: FastifyPluginAsync<WebDeps> = async (app, deps) => {
  const isHttps = deps.publicUrl.startsWith('https:');
  const ctx: PageContext = {
    deps,
    views: await loadPageViews(),
    newsletterIds: deps.newsletters.map((newsletter) => newsletter.id),
  };
  const stylesheet = await readFile(stylesheetUrl, 'utf8');

  // Security headers on every response of the pages, error pages included (the archived issue
  // replaces the Content-Security-Policy with its own): computed once, see security-headers.ts.
  const headers = pageSecurityHeaders({ isHttps });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'depeche_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: isHttps },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    ...(deps.redis
      ? { redis: deps.redis, nameSpace: `${deps.redisKeyPrefix ?? '{depeche}'}:web-rate:` }
      : {}),
  });
  await app.register(fastifyFormbody, { bodyLimit: FORM_BODY_LIMIT });
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (request, body, done) => {
      const boundary = multipartBoundary(String(request.headers['content-type'] ?? ''));
      const fields =
        boundary === undefined ? undefined : parseMultipartFields(String(body), boundary);
      if (fields === undefined) {
        done(new MalformedBodyError('Malformed multipart body'), undefined);
      } else {
        done(null, fields);
      }
    },
  );

  installErrorHandler(app, ctx);

  app.get('/assets/style.css', (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .type('text/css; charset=utf-8')
      .send(stylesheet),
  );
  decorateLink(app);
  registerSubscribeRoutes(app, ctx);
  registerConfirmRoutes(app, ctx);
  registerPreferencesRoutes(app, ctx);
  registerUnsubscribeRoutes(app, ctx);
  registerArchiveRoutes(app, ctx);
  if (deps.editor) {
    await app.register(editorPlugin, {
      prefix: '/editor',
      deps: deps.editor,
      newsletters: deps.newsletters,
      publicUrl: deps.publicUrl,
    });
  }
};

/**
 * Builds the Fastify instance of `depeche serve`, in production and in the tests alike: the
 * server of {@link createServer} (timeouts, body limit, proxy trust from `deps.isBehindProxy`,
 * redacted request logs), the pages ({@link webPlugin}), then `deps.extraPlugins` (the ops
 * routes, metrics, webhooks), each registered at the root in its own context. The caller owns
 * `listen` (`server.ts`) or uses `inject()`.
 */
export async function buildApp(
  deps: WebDeps,
  server: Omit<ServerOptions, 'logger' | 'isBehindProxy'> = {},
): Promise<FastifyInstance> {
  const app = createServer({
    ...server,
    logger: deps.logger,
    isBehindProxy: deps.isBehindProxy ?? false,
  });
  await app.register(webPlugin, deps);
  for (const plugin of deps.extraPlugins ?? []) await app.register(plugin);
  return app;
}
