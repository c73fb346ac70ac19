import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

import { formatDate } from '../lib/index.ts';

/** The local HTTP server of the demo's sample feeds. */
export interface DemoFeedServer {
  /** `http://127.0.0.1:<port>/`; a feed file `x.xml` is at `<baseUrl>x.xml`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** "January 2, 2027", as English-language feeds write deadlines. */
const englishFeedDate = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * Fills the date placeholders of a sample feed relative to `now`, so its items stay recent and
 * its deadlines ahead whenever the demo runs: `{{rfc822:-3}}` (RSS), `{{iso:-3}}` (Atom),
 * `{{fr:+40}}` « 2 janvier 2027 », `{{en:+40}}` "January 2, 2027".
 */
export function fillFeedDates(text: string, now: Date): string {
  return text.replace(
    /\{\{(rfc822|iso|fr|en):([+-]\d+)\}\}/g,
    (_match, format: string, days: string) => {
      const date = new Date(now.getTime() + Number(days) * 86_400_000);
      if (format === 'rfc822') return date.toUTCString();
      if (format === 'iso') return date.toISOString();
      if (format === 'fr') return formatDate(date, 'fr');
      return englishFeedDate.format(date);
    },
  );
}

/** Serves the files of `dir` (flat, `.xml` and `.atom`) with their dates filled. */
export async function startFeedServer(dir: string, now: () => Date): Promise<DemoFeedServer> {
  const server = createServer((request, response) => {
    const name = decodeURIComponent(
      new URL(request.url ?? '/', 'http://localhost').pathname.slice(1),
    );
    if (!/^[\w.-]+\.(xml|atom)$/.test(name)) {
      response.writeHead(404).end();
      return;
    }
    readFile(path.join(dir, name), 'utf8').then(
      (text) => {
        const type = name.endsWith('.atom') ? 'application/atom+xml' : 'application/rss+xml';
        response.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
        response.end(fillFeedDates(text, now()));
      },
      () => response.writeHead(404).end(),
    );
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
