import { type Dispatcher, fetch, type Response } from 'undici';

import { FeedUnreachableError } from './feed-errors.ts';

/** Limits and validators of one HTTP fetch. */
export interface HttpFetchOptions {
  /** Whole-request deadline, covering connection, headers, redirects and body. */
  timeoutMs: number;
  /** Largest (decompressed) body accepted; reading stops as soon as it is passed. */
  maxBytes: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  userAgent: string;
  /**
   * The undici dispatcher every connection goes through; the feed fetcher's one checks each
   * address it connects to (`createGuardedAgent`).
   */
  dispatcher: Dispatcher;
  /** Validators of the last successful fetch, for a conditional GET. */
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
}

/** What the server answered. */
export type HttpFetchResult = {
  /**
   * Where the address permanently moved: the URL reached by the permanent redirects (301,
   * 308) the chain starts with, when there are any.
   */
  movedTo: string | undefined;
} & (
  | { status: 'not-modified'; url: string }
  | {
      status: 'ok';
      /** Final URL, after redirects. */
      url: string;
      body: Buffer;
      contentType: string | undefined;
      etag: string | undefined;
      lastModified: string | undefined;
    }
);

/**
 * Parses `url` and refuses anything but http(s), and any URL with credentials, before any request
 * is made.
 */
export function checkFetchableUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedUnreachableError('invalid-url', `'${url}' is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FeedUnreachableError(
      'unsupported-scheme',
      `'${parsed.protocol}' URLs are not fetched (only http: and https:)`,
    );
  }
  // A password in a URL would be stored and shown with the feed's error; the message names the
  // host only.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new FeedUnreachableError(
      'invalid-url',
      `a URL of '${parsed.host}' carries a user name or password (user:password@): not fetched`,
    );
  }
  return parsed;
}

function causeOf(error: unknown): { code?: string; message?: string } | undefined {
  return (error as { cause?: { code?: string; message?: string } }).cause;
}

function isClosedConnection(error: unknown): boolean {
  const cause = causeOf(error);
  return (
    cause?.code === 'ECONNRESET' ||
    cause?.code === 'UND_ERR_SOCKET' ||
    /other side closed/i.test(cause?.message ?? '')
  );
}

function isPermanentRedirect(status: number): boolean {
  return status === 301 || status === 308;
}

async function readLimited(
  body: Response['body'],
  maxBytes: number,
  abort: (reason: Error) => void,
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      const error = new FeedUnreachableError(
        'too-large',
        `the feed is larger than ${maxBytes} bytes`,
      );
      abort(error);
      throw error;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * GETs a feed with every limit a hostile server could test: http(s) only (checked again on
 * each redirect), connections only where the dispatcher allows (each hop's address checked),
 * manual redirects up to `maxRedirects`, one deadline for the whole exchange, a body cap
 * enforced while streaming (on the decompressed bytes, so a gzip bomb stops too),
 * gzip/deflate/br, and a conditional GET (If-None-Match / If-Modified-Since). Reports where
 * permanent redirects lead (`movedTo`): the address in `newsletter.yaml` is the editors' to
 * change. Throws {@link FeedUnreachableError} with a `reason`.
 */
export async function httpFetch(url: string, options: HttpFetchOptions): Promise<HttpFetchResult> {
  let current = checkFetchableUrl(url);
  // The target of the permanent redirects the chain starts with; a temporary one ends it.
  let movedTo: string | undefined;
  let isPermanentSoFar = true;
  const controller = new AbortController();
  const abort = (reason: Error) => controller.abort(reason);
  const timer = setTimeout(
    () =>
      abort(
        new FeedUnreachableError('timeout', `no complete answer within ${options.timeoutMs} ms`),
      ),
    options.timeoutMs,
  );
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    accept:
      'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  try {
    for (let redirects = 0; ; redirects += 1) {
      const request = () =>
        fetch(current, {
          headers,
          redirect: 'manual',
          signal: controller.signal,
          dispatcher: options.dispatcher,
        });
      // A kept-alive connection the server has just closed fails at once; one more try on a
      // fresh connection is what browsers do too.
      const response = await request().catch((error: unknown) => {
        if (controller.signal.aborted || !isClosedConnection(error)) throw error;
        return request();
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && response.status !== 304 && location) {
        await response.body?.cancel().catch(() => undefined);
        if (redirects >= options.maxRedirects) {
          throw new FeedUnreachableError(
            'too-many-redirects',
            `more than ${options.maxRedirects} redirects (last to '${location}')`,
          );
        }
        current = checkFetchableUrl(new URL(location, current).href);
        isPermanentSoFar &&= isPermanentRedirect(response.status);
        if (isPermanentSoFar) movedTo = current.href;
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel().catch(() => undefined);
        return { status: 'not-modified', url: current.href, movedTo };
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new FeedUnreachableError(
          'http-status',
          `HTTP ${response.status} ${response.statusText}`.trim(),
        );
      }
      const declaredLength = Number(response.headers.get('content-length') ?? 'NaN');
      if (declaredLength > options.maxBytes && !response.headers.get('content-encoding')) {
        const error = new FeedUnreachableError(
          'too-large',
          `the feed is larger than ${options.maxBytes} bytes (${declaredLength} announced)`,
        );
        abort(error);
        throw error;
      }
      const body = await readLimited(response.body, options.maxBytes, abort);
      return {
        status: 'ok',
        url: current.href,
        movedTo,
        body,
        contentType: response.headers.get('content-type') ?? undefined,
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
    }
  } catch (error) {
    if (error instanceof FeedUnreachableError) throw error;
    if (controller.signal.aborted && controller.signal.reason instanceof FeedUnreachableError) {
      throw controller.signal.reason;
    }
    // A refused address (the dispatcher's check) comes back as the cause of fetch's error.
    const cause = causeOf(error);
    if (cause instanceof FeedUnreachableError) throw cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new FeedUnreachableError('network', `network error: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
