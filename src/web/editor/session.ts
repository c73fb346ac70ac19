import type { FastifyReply, FastifyRequest } from 'fastify';

import type { EditorSession, Role, SessionPolicy } from '../../editors/index.ts';
import { type Locale } from '../../lib/index.ts';

/** Name of the workspace's session cookie. */
export const EDITOR_COOKIE = 'depeche_editor';

/** Path of the workspace; the session cookie is sent only there. */
export const EDITOR_PREFIX = '/editor';

/** The signed-in editor, as route modules read it from `request.editor`. */
export interface SignedInEditor {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The signed-in editor on every `/editor` route; null on the sign-in pages when nobody is
     * signed in. Inside the protected area it is never null (use {@link editorOf}).
     */
    editor: SignedInEditor | null;
    /** The session behind `request.editor` (what sign-out ends); null when signed out. */
    editorSession: EditorSession | null;
  }
}

/** The cookie's attributes: httpOnly, SameSite=Lax, Secure under https, path `/editor`. */
export function sessionCookieOptions(isHttps: boolean, policy: SessionPolicy) {
  return {
    path: EDITOR_PREFIX,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: isHttps,
    maxAge: policy.maxHours * 3600,
  };
}

/** The signed-in editor of a request of the protected area; throws 401 when there is none. */
export function editorOf(request: FastifyRequest): SignedInEditor {
  if (request.editor === null) {
    throw Object.assign(new Error('Not signed in'), { statusCode: 401 });
  }
  return request.editor;
}

/**
 * The `onRequest` hook of the protected area: a request without a live session is sent to the
 * sign-in page (GET, HEAD) or refused with 401 (anything else), before its body is read.
 */
export async function requireSignedIn(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (request.editor !== null) return undefined;
  if (request.method === 'GET' || request.method === 'HEAD') {
    return reply.redirect(`${EDITOR_PREFIX}/sign-in`, 303);
  }
  return reply
    .code(401)
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send('Not signed in: sign in at /editor/sign-in');
}
