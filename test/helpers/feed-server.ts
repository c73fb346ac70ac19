import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';

/** Folder of the fixture feeds. */
export const feedFixturesDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'feeds',
);

/** Bytes of a fixture feed. */
export function readFeedFixture(name: string): Buffer {
  return readFileSync(path.join(feedFixturesDir, name));
}

/** Handles one request to one path of the feed server. */
export type FeedRoute = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local HTTP server of fixture feeds on 127.0.0.1 and a free port. */
export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  url(pathname: string): string;
  /** Requests received, in order, with their headers. */
  requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Starts a feed server answering `routes` (path → handler); other paths get 404. */
export async function startFeedServer(
  routes: Record<string, FeedRoute> | ((pathname: string) => FeedRoute | undefined),
): Promise<FeedServer> {
  const requests: FeedServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ path: pathname, headers: req.headers });
    const route = typeof routes === 'function' ? routes(pathname) : routes[pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    route(req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    url: (pathname) => `${baseUrl}${pathname}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Options of {@link serveBytes}. */
export interface ServeOptions {
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Compress the answer with gzip. */
  isGzip?: boolean;
  /** Wait this long before answering (simulated latency). */
  delayMs?: number;
}

/** Serves fixed bytes, answering 304 to a matching conditional request. */
export function serveBytes(body: Buffer | string, options: ServeOptions = {}): FeedRoute {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const payload = options.isGzip ? gzipSync(bytes) : bytes;
  return (req, res) => {
    const answer = () => {
      const validators: Record<string, string> = {};
      if (options.etag) validators.etag = options.etag;
      if (options.lastModified) validators['last-modified'] = options.lastModified;
      const isFresh =
        (options.etag !== undefined && req.headers['if-none-match'] === options.etag) ||
        (options.etag === undefined &&
          options.lastModified !== undefined &&
          req.headers['if-modified-since'] === options.lastModified);
      if (isFresh) {
        res.writeHead(304, validators).end();
        return;
      }
      res.writeHead(200, {
        'content-type': options.contentType ?? 'application/rss+xml',
        'content-length': String(payload.length),
        ...(options.isGzip ? { 'content-encoding': 'gzip' } : {}),
        ...validators,
      });
      res.end(payload);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  };
}

/** Serves a fixture file of `test/fixtures/feeds/`. */
export function serveFixture(name: string, options: ServeOptions = {}): FeedRoute {
  return serveBytes(readFeedFixture(name), options);
}

/** Accepts the request and never answers. */
export const neverAnswer: FeedRoute = () => undefined;

/** Answers with headers, then dribbles the body forever (one byte a second). */
export const slowBody: FeedRoute = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
  const timer = setInterval(() => res.write(' '), 1000);
  res.on('close', () => clearInterval(timer));
};

/** Redirects to `location` (relative or absolute). */
export function redirectTo(location: string, status = 302): FeedRoute {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}

/**
 * Streams `totalBytes` of a never-closing RSS document, without announcing its length and
 * without allocating it: 64 KiB chunks, written as the client reads, until the client goes.
 */
export function streamHugeBody(totalBytes: number): FeedRoute {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    let sent = 0;
    let isClosed = false;
    res.on('close', () => {
      isClosed = true;
    });
    const pump = () => {
      while (!isClosed && sent < totalBytes) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!isClosed) res.end();
    };
    res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>');
    pump();
  };
}

/**
 * Serves a gzip bomb: `totalBytes` of spaces compressed on the fly (a few KiB on the wire per
 * MiB), generated as the client reads, never held in memory.
 */
export function streamGzipBomb(totalBytes: number): FeedRoute {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= totalBytes) this.push(null);
        else {
          sent += chunk.length;
          this.push(chunk);
        }
      },
    });
    const gzip = createGzip();
    res.on('close', () => {
      source.destroy();
      gzip.destroy();
    });
    source.pipe(gzip).pipe(res);
  };
}
