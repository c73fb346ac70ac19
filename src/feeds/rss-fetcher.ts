import { createAddressPolicy, type PrivateAddressAllowance } from './address-policy.ts';
import { decodeFeedBody } from './decode-feed-body.ts';
import type { FeedFetcher } from './feed-fetcher.ts';
import { createGuardedAgent, type ResolveAll } from './guarded-agent.ts';
import { httpFetch } from './http-fetch.ts';
import { parseFeed } from './parse-feed.ts';

/** Options of {@link createRssFetcher}. */
export interface RssFetcherOptions {
  /** Deadline of one fetch, headers and body (FEED_TIMEOUT_MS). */
  timeoutMs: number;
  /** Largest body read (FEED_MAX_BYTES). */
  maxBytes: number;
  /**
   * Special-purpose addresses (loopback, private, link-local…) feeds may still be fetched from
   * (FEED_ALLOW_PRIVATE_ADDRESSES): none, all, or the listed addresses and CIDR ranges.
   * @defaultValue false
   */
  allowPrivateAddresses?: PrivateAddressAllowance;
  /** Host name resolution. @defaultValue `dns.lookup` */
  resolveAll?: ResolveAll;
  /** @defaultValue 5 */
  maxRedirects?: number;
  /** @defaultValue 'Depeche feed reader' */
  userAgent?: string;
}

/**
 * The real {@link FeedFetcher}: HTTP with limits (`httpFetch`) through a dispatcher that
 * refuses special-purpose addresses (`createGuardedAgent`), charset decoding
 * (`decodeFeedBody`), then rss-parser (`parseFeed`).
 */
export function createRssFetcher(options: RssFetcherOptions): FeedFetcher {
  const dispatcher = createGuardedAgent(
    createAddressPolicy(options.allowPrivateAddresses ?? false),
    options.resolveAll ? { resolveAll: options.resolveAll } : {},
  );
  return {
    async fetch(url, validators) {
      const response = await httpFetch(url, {
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: options.maxRedirects ?? 5,
        userAgent: options.userAgent ?? 'Depeche feed reader',
        dispatcher,
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
        movedTo: response.movedTo,
        etag: response.etag,
        lastModified: response.lastModified,
      };
    },
  };
}
