import type { FastifyInstance } from 'fastify';

import type { WebNewsletter } from '../web-deps.ts';
import type { EditorWorkspaceDeps } from './editor-deps.ts';
import type { EditorViews } from './editor-views.ts';

/** What every workspace route module gets. */
export interface EditorContext {
  deps: EditorWorkspaceDeps;
  views: EditorViews;
  newsletters: readonly WebNewsletter[];
  /** Base URL of the site, e.g. `https://lettres.example.org` (links in mails). */
  publicUrl: string;
  /** PUBLIC_URL is https: cookies are `Secure`. */
  isHttps: boolean;
}

/**
 * A route module of the workspace: registers its routes on `app`, whose paths are relative to
 * `/editor` (`app.get('/inbox', …)` serves `/editor/inbox`). Inside the protected area every
 * route has `request.editor` set and CSRF checked on every non-GET request.
 */
export type EditorRouteModule = (app: FastifyInstance, ctx: EditorContext) => void | Promise<void>;
