import { type FSWatcher, watch } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';

import { loadIssue, resolveIssuePath } from '../content/index.ts';
import { type Locale, locales, type Logger } from '../lib/index.ts';
import { compilePersonalization, escapeHtml, personalize } from './personalize.ts';
import { previewPage } from './preview-page.ts';
import { previewValues } from './preview-values.ts';
import { createRenderer } from './renderer.ts';

/** Options of {@link startPreviewServer}. */
export interface PreviewServerOptions {
  issuesDir: string;
  templatesDir: string;
  /** Issue file path or `<newsletter>/<YYYY-MM>`. */
  issueRef: string;
  /** Base of the stand-in links of the preview copy (`PUBLIC_URL`). */
  baseUrl: string;
  /** Port to listen on; 0 picks a free one. @defaultValue 4000 */
  port?: number;
  /** @defaultValue '127.0.0.1' (the preview is for the editor's own machine) */
  host?: string;
  logger: Logger;
}

interface Snapshot {
  version: number;
  bodies: Partial<Record<Locale, { html: string; text: string; subject: string }>>;
  error?: string;
}

/** A running preview server. */
export interface PreviewServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Renders again now (also done on every file change); resolves with the new version. */
  refresh(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Serves a local preview of an issue: the page at `/` shows the email at 600 px and 375 px and
 * its text part, in French and English (`?lang=en`). The issue file's folder and the templates
 * folder are watched; on a change the issue is rendered again (with freshly loaded templates)
 * and open pages reload through server-sent events (`/events`). A render error is shown in the
 * page instead of stopping the server. Routes: `/`, `/email.html`, `/email.txt`, `/version`,
 * `/events`.
 */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const log = options.logger.child({ component: 'preview' });
  const snapshot: Snapshot = { version: 0, bodies: {} };
  const listeners = new Set<ServerResponse>();
  const issueFile = resolveIssuePath(options.issuesDir, options.issueRef);
  let queue = Promise.resolve(0);

  // Renders run one after the other, so a slow render never overwrites a newer one.
  const render = (): Promise<number> => (queue = queue.then(renderNow, renderNow));

  async function renderNow(): Promise<number> {
    try {
      const { issue, newsletter } = await loadIssue(options.issuesDir, options.issueRef);
      // A new renderer per change reloads the templates from disk.
      const renderer = createRenderer({ templatesDir: options.templatesDir });
      const bodies: Snapshot['bodies'] = {};
      for (const locale of locales) {
        // A preview shows the « closing soon » marks as a send right now would.
        const rendered = await renderer.renderIssue(issue, newsletter, locale, {
          asOf: new Date(),
        });
        const filled = personalize(
          compilePersonalization(rendered),
          previewValues(locale, options.baseUrl),
        );
        bodies[locale] = { ...filled, subject: rendered.subject };
      }
      snapshot.bodies = bodies;
      delete snapshot.error;
    } catch (error) {
      snapshot.error = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, 'preview render failed');
    }
    snapshot.version += 1;
    for (const listener of listeners) listener.write(`data: ${snapshot.version}\n\n`);
    return snapshot.version;
  }

  await render();

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    // Editors save in bursts (write + rename); render once they are done.
    timer = setTimeout(() => void render(), 150);
  };
  const watchers: FSWatcher[] = [
    watch(options.templatesDir, { recursive: true }, schedule),
    watch(dirname(issueFile), (_event, name) => {
      if (name === null || name === basename(issueFile) || name.endsWith('newsletter.yaml')) {
        schedule();
      }
    }),
  ];

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://preview');
    const locale: Locale = url.searchParams.get('lang') === 'en' ? 'en' : 'fr';
    const body = snapshot.bodies[locale];
    const send = (status: number, type: string, content: string) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(content);
    };
    switch (url.pathname) {
      case '/':
        return send(200, 'text/html; charset=utf-8', previewPage(snapshot, locale, body?.text));
      case '/email.html':
        if (snapshot.error !== undefined || body === undefined) {
          return send(
            500,
            'text/html; charset=utf-8',
            `<pre>${escapeHtml(snapshot.error ?? '')}</pre>`,
          );
        }
        return send(200, 'text/html; charset=utf-8', body.html);
      case '/email.txt':
        if (body === undefined) return send(500, 'text/plain; charset=utf-8', snapshot.error ?? '');
        return send(200, 'text/plain; charset=utf-8', body.text);
      case '/version':
        return send(200, 'application/json', JSON.stringify({ version: snapshot.version }));
      case '/events':
        response.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        response.write(`data: ${snapshot.version}\n\n`);
        listeners.add(response);
        request.on('close', () => listeners.delete(response));
        return undefined;
      default:
        return send(404, 'text/plain; charset=utf-8', 'not found');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}/`;
  log.info({ url, issue: options.issueRef }, 'preview server listening');

  return {
    url,
    refresh: render,
    async close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const listener of listeners) listener.end();
      listeners.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
