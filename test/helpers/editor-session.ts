import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { commandLineActor, type Editor, type Role } from '../../src/editors/index.ts';
import type { EditorWorkspaceDeps } from '../../src/web/editor/index.ts';

/** A signed-in browser of the workspace: its cookies (session and CSRF). */
export interface EditorBrowser {
  editor: Editor;
  cookies: Record<string, string>;
}

/** Creates an account (as the command line would) and opens a session for it. */
export async function signedInEditor(
  deps: EditorWorkspaceDeps,
  email: string,
  role: Role,
): Promise<EditorBrowser> {
  const editor = await deps.accounts.add(commandLineActor('test'), { email, role });
  const issued = await deps.sessions.requestSignIn(email);
  if (!issued) throw new Error(`No sign-in token for ${email}`);
  const signedIn = await deps.sessions.signIn(issued.token);
  if (!signedIn) throw new Error(`Sign-in of ${email} failed`);
  return { editor, cookies: { depeche_editor: signedIn.sessionId } };
}

/** GETs a workspace page with the browser's cookies, keeping the CSRF cookie it sets. */
export async function getPage(
  app: FastifyInstance,
  browser: Pick<EditorBrowser, 'cookies'>,
  url: string,
): Promise<LightMyRequestResponse & { csrf: string | undefined }> {
  const response = await app.inject({ method: 'GET', url, cookies: browser.cookies });
  for (const cookie of response.cookies) {
    if (cookie.name === 'depeche_csrf') browser.cookies.depeche_csrf = cookie.value;
  }
  const csrf = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  return Object.assign(response, { csrf });
}

/**
 * POSTs a form from page `from` (whose CSRF token it uses) to `url`, as the browser would;
 * `csrf: false` leaves the token out.
 */
export async function postFrom(
  app: FastifyInstance,
  browser: Pick<EditorBrowser, 'cookies'>,
  from: string,
  url: string,
  fields: Record<string, string | string[]> = {},
  options: { csrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const page = await getPage(app, browser, from);
  const body = new URLSearchParams();
  if (options.csrf !== false && page.csrf !== undefined) body.append('_csrf', page.csrf);
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  return app.inject({
    method: 'POST',
    url,
    cookies: browser.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}
