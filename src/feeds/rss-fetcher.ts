import { decodeFeedBody } from './decode-feed-body.ts';
import type { FeedFetcher } from './feed-fetcher.ts';
import { httpFetch } from './http-fetch.ts';
import { parseFeed } from './parse-feed.ts';

/** Options of {@link createRssFetcher}. */
export interface RssFetcherOptions {
  /** Deadline of one fetch, headers and body (FEED_TIMEOUT_MS). */
  timeoutMs: number;
  /** Largest body read (FEED_MAX_BYTES). */
  maxBytes: number;
  /** @defaultValue 5 */
  maxRedirects?: number;
  /** @defaultValue 'Depeche feed reader' */
  userAgent?: string;
}

/**
 * The real {@link FeedFetcher}: HTTP with limits (`httpFetch`), charset decoding
 * (`decodeFeedBody`), then rss-parser (`parseFeed`).
 */
export function createRssFetcher(options: RssFetcherOptions): FeedFetcher {
  return {
    async fetch(url, validators) {
      const response = await httpFetch(url, {
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: options.maxRedirects ?? 5,
        userAgent: options.userAgent ?? 'Depeche feed reader',
        etag: validators.etag,
        lastModified: validators.lastModified,
      });
      if (response.status === 'not-modified') return response;
      const text = decodeFeedBody(response.body, response.contentType);
      const feed = await parseFeed(text, response.url);
      return {
        ...feed,
        status: 'ok',
        url: response.url,
        etag: response.etag,
        lastModified: response.lastModified,
      };
    },
  };
}
