import type { ParsedFeed } from './feed-entry.ts';

/** Validators remembered from the last successful fetch of a feed. */
export interface FeedValidators {
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
}

/** What fetching a feed gave. */
export type FetchedFeed = {
  /** Where permanent redirects (301, 308) say the feed moved, if they do. */
  movedTo?: string | undefined;
} & (
  | { status: 'not-modified'; url: string }
  | (ParsedFeed & {
      status: 'ok';
      /** Final URL after redirects; relative links were resolved against it. */
      url: string;
      etag: string | undefined;
      lastModified: string | undefined;
    })
);

/**
 * Fetches and parses one feed. The adapter to the outside world, so that the feed service can
 * be tested with a fake. Failures throw `FeedUnreachableError` or `FeedInvalidError`.
 */
export interface FeedFetcher {
  fetch(url: string, validators: FeedValidators): Promise<FetchedFeed>;
}
