import { z } from 'zod';

/**
 * One entry of a parsed feed, as the fetcher hands it over: raw strings from the document
 * (title and summaries may hold HTML), links already resolved against the feed URL and
 * `xml:base`.
 */
export const FeedEntrySchema = z.object({
  title: z.string().optional(),
  /** Absolute http(s) link of the entry, if it has a usable one. */
  link: z.string().optional(),
  /** RSS guid or Atom id. */
  guid: z.string().optional(),
  /** Publication (or update) date as written in the feed. */
  published: z.string().optional(),
  /** Short description: RSS description, Atom summary. May hold HTML. */
  summaryHtml: z.string().optional(),
  /** Full content: content:encoded, Atom content. May hold HTML. */
  contentHtml: z.string().optional(),
  /** Base URL for links inside this entry (xml:base, else the feed URL). */
  baseUrl: z.string(),
});
/** {@inheritDoc FeedEntrySchema} */
export type FeedEntry = z.infer<typeof FeedEntrySchema>;

/** A feed read successfully: its title and entries. */
export const ParsedFeedSchema = z.object({
  title: z.string().optional(),
  entries: z.array(FeedEntrySchema),
});
/** {@inheritDoc ParsedFeedSchema} */
export type ParsedFeed = z.infer<typeof ParsedFeedSchema>;
