import type { FastifyInstance } from 'fastify';

import type { EditorContext } from './editor-context.ts';
import { EDITOR_COOKIE } from './session.ts';

/** The frame's own routes in the protected area: sign-out. */
export function registerFrameRoutes(app: FastifyInstance, ctx: EditorContext): void {
  app.post('/sign-out', async (request, reply) => {
    if (request.editorSession) await ctx.deps.sessions.signOut(request.editorSession);
    return reply
      .clearCookie(EDITOR_COOKIE, { path: '/editor' })
      .redirect('/editor/sign-in?signed_out=1', 303);
  });
}
