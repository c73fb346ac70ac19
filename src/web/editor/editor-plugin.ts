import { readFile } from 'node:fs/promises';

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';

import { queueBoardPlugin } from '../ops/index.ts';
import type { WebNewsletter } from '../web-deps.ts';
import { registerAccountRoutes } from './account-routes.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerCampaignRoutes } from './campaign-routes.ts';
import { registerComposerRoutes } from './composer-routes.ts';
import type { EditorContext, EditorRouteModule } from './editor-context.ts';
import type { EditorWorkspaceDeps } from './editor-deps.ts';
import { describeEditorError, sendEditorError } from './editor-errors.ts';
import { attachEditorViews, loadEditorViews } from './editor-views.ts';
import { registerFrameRoutes } from './frame-routes.ts';
import { registerHomeRoutes } from './home-routes.ts';
import { registerInboxRoutes } from './inbox-routes.ts';
import { registerIssueLinksRoutes } from './issue-links-routes.ts';
import { registerPreviewRoutes } from './preview-routes.ts';
import { requireAction } from './require-action.ts';
import { EDITOR_COOKIE, EDITOR_PREFIX, requireSignedIn, sessionCookieOptions } from './session.ts';
import { registerSignInRoutes } from './sign-in-routes.ts';
import { registerSubscriberRoutes } from './subscriber-routes.ts';
import { registerTestSendRoutes } from './test-send-routes.ts';
import { registerTesterRoutes } from './testers-routes.ts';

/**
 * The route modules of the protected area (signed-in editors only), in registration order.
 * A new page adds its module's register function here.
 */
const protectedModules: EditorRouteModule[] = [
  registerFrameRoutes,
  registerHomeRoutes,
  registerAccountRoutes,
  registerAuditRoutes,
  registerInboxRoutes,
  registerCampaignRoutes,
  registerSubscriberRoutes,
  registerPreviewRoutes,
  registerTestSendRoutes,
  registerTesterRoutes,
  registerIssueLinksRoutes,
  registerComposerRoutes,
];

const stylesheetUrl = new URL('./assets/editor.css', import.meta.url);

/** Options of {@link editorPlugin}. */
export interface EditorPluginOptions {
  deps: EditorWorkspaceDeps;
  newsletters: readonly WebNewsletter[];
  publicUrl: string;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where admins find the queue dashboard. */
export const QUEUE_BOARD_PATH = `${EDITOR_PREFIX}/queues`;

/**
 * The queue board's own API calls carry no form token: they are PUT/DELETE, or POST with a
 * JSON body, which a page of another site cannot send without a CORS preflight we never answer
 * (and the session cookie is SameSite=Lax). Plain form posts there still need the token.
 */
function isQueueBoardApiCall(request: FastifyRequest): boolean {
  if (!request.url.startsWith(`${QUEUE_BOARD_PATH}/`)) return false;
  if (request.method !== 'POST') return true;
  return /^application\/json\b/i.test(String(request.headers['content-type'] ?? ''));
}

/**
 * The editors' workspace, registered by `webPlugin` at `/editor` when `WebDeps.editor` is given.
 * It inherits the pages' cookie, CSRF, rate-limit and form plugins and security headers, and adds:
 * the session (cookie `depeche_editor` → `request.editor`), a CSRF check on every non-GET
 * request, its own error pages, the public sign-in pages, and the protected area where every
 * route module of {@link protectedModules} runs for signed-in editors only.
 */
export const editorPlugin: FastifyPluginAsync<EditorPluginOptions> = async (app, options) => {
  const { deps } = options;
  const views = await loadEditorViews({ timeZone: deps.timeZone });
  const ctx: EditorContext = {
    deps,
    views,
    newsletters: options.newsletters,
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    isHttps: options.publicUrl.startsWith('https:'),
  };
  const cookieOptions = sessionCookieOptions(ctx.isHttps, deps.sessionPolicy);
  const stylesheet = await readFile(stylesheetUrl, 'utf8');
  attachEditorViews(app, views);

  app.decorateRequest('editor', null);
  app.decorateRequest('editorSession', null);

  // The session of the cookie, resolved on every request (a disabled account or a revoked
  // session stops at once); a dead session's cookie is cleared.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(`${EDITOR_PREFIX}/assets/`)) return;
    const cookie = request.cookies[EDITOR_COOKIE];
    if (cookie === undefined || cookie === '') return;
    const session = await deps.sessions.load(cookie);
    if (session === null) {
      reply.clearCookie(EDITOR_COOKIE, { path: cookieOptions.path });
      return;
    }
    const { id, email, name, role, locale } = session.editor;
    request.editor = { id, email, name, role, locale };
    request.editorSession = session;
  });

  // CSRF on every request that may change something: the token of the page's `_csrf` field.
  app.addHook('preHandler', (request, reply, done) => {
    if (safeMethods.has(request.method) || isQueueBoardApiCall(request)) {
      done();
      return;
    }
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, key } = describeEditorError(error);
    if (status >= 500) {
      request.log.error({ err: error, event: 'editor.request.failed' }, 'request failed');
    } else {
      request.log.info({ status, reason: key }, 'workspace request refused');
    }
    return sendEditorError(request, reply, status, key);
  });
  app.setNotFoundHandler((request, reply) => sendEditorError(request, reply, 404, 'not_found'));

  app.get('/assets/editor.css', (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .type('text/css; charset=utf-8')
      .send(stylesheet),
  );

  // Public: the sign-in pages.
  registerSignInRoutes(app, ctx);

  await app.register(async (area) => {
    area.addHook('onRequest', requireSignedIn);
    for (const register of protectedModules) await register(area, ctx);
    if (deps.queues) {
      const queues = deps.queues;
      // The queue dashboard, for admins (scripts keep /admin/queues and ADMIN_TOKEN).
      await area.register(async (board) => {
        board.addHook('onRequest', requireAction('settings.manage'));
        await board.register(queueBoardPlugin, {
          prefix: '/queues',
          queues,
          basePath: QUEUE_BOARD_PATH,
        });
      });
    }
  });
};
