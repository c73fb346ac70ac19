import { createRequire } from 'node:module';

import Parser from 'rss-parser';

import { resolveWebUrl } from './canonical-url.ts';
import type { FeedEntry, ParsedFeed } from './feed-entry.ts';
import { FeedInvalidError } from './feed-errors.ts';

type RawAttributes = Record<string, string | undefined>;
type RawLink = { $?: RawAttributes };
type RawItem = Parser.Item & {
  id?: unknown;
  summary?: unknown;
  'content:encoded'?: unknown;
  attributes?: RawAttributes;
  links?: RawLink[];
  'rdf:about'?: string;
  'dc:date'?: unknown;
};
type RawFeed = { attributes?: RawAttributes };

// `$` (the element's attributes) is kept so that xml:base can be read; Atom links are kept
// whole so that the alternate link is chosen with its own attributes.
const parserOptions = {
  customFields: {
    feed: [['$', 'attributes', { keepArray: true }]],
    item: [
      ['$', 'attributes', { keepArray: true }],
      ['link', 'links', { keepArray: true }],
    ],
  },
} as unknown as Parser.ParserOptions<RawFeed, RawItem>;

type AtomEntry = Record<string, unknown> & { published?: unknown[]; updated?: unknown[] };
type AtomItemParser = { parseItemAtom(entry: AtomEntry): Record<string, unknown> };

/**
 * rss-parser turns an Atom entry's date with `new Date(…).toISOString()`, which throws on a
 * date it cannot read and so fails the whole feed. This subclass keeps such an entry, without
 * a date (its first-seen time will stand in).
 */
class TolerantParser extends Parser<RawFeed, RawItem> {
  parseItemAtom(entry: AtomEntry): Record<string, unknown> {
    const parent = Parser.prototype as unknown as AtomItemParser;
    try {
      return parent.parseItemAtom.call(this, entry);
    } catch {
      const { published: _published, updated: _updated, ...undated } = entry;
      return parent.parseItemAtom.call(this, undated);
    }
  }
}

// rss-parser gives every description and content a plain-text `contentSnippet`, through a
// regex that takes quadratic time on markup without '>' (100 KiB of '<p ' takes seconds, 5 MiB
// hours) and blocks the event loop, so no deadline could stop it. We never read snippets:
// rss-parser's helper module is shared, so this makes them empty for every parser.
const rssParserUtils = createRequire(import.meta.url)('rss-parser/lib/utils.js') as {
  getSnippet?: (html: string) => string;
};
// rss-parser is pinned to 3.13.x (package.json); a version that moved the helper must not be
// left unpatched without a word
if (typeof rssParserUtils.getSnippet !== 'function') {
  throw new Error(
    'rss-parser/lib/utils.js has no getSnippet: review the snippet patch of parse-feed.ts',
  );
}
rssParserUtils.getSnippet = () => '';

// A DOCTYPE with an internal subset is how entity-expansion ("billion laughs") documents
// declare their entities; no real feed needs one.
const internalSubset = /<!DOCTYPE[^>[]*\[/i;
const entityDeclaration = /<!ENTITY/i;
// An HTML page, after any comments. A comment's body cannot contain '-->', so there is one way
// to split leading comments and the match stays linear (a lazy body let many comments be split
// in exponentially many ways before failing).
const htmlDocument = /^\s*(?:<!--(?:(?!-->)[\s\S])*-->\s*)*(?:<!DOCTYPE\s+html|<html[\s>])/i;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && '_' in value && typeof value._ === 'string') {
    return value._;
  }
  return undefined;
}

function atomLink(links: RawLink[] | undefined): RawLink | undefined {
  if (!Array.isArray(links)) return undefined;
  const withHref = links.filter((link) => typeof link?.$?.href === 'string');
  return withHref.find((link) => (link.$?.rel ?? 'alternate') === 'alternate') ?? withHref[0];
}

function toEntry(item: RawItem, feedBase: string): FeedEntry {
  const itemBase = resolveWebUrl(item.attributes?.['xml:base'], feedBase) ?? feedBase;
  const link = atomLink(item.links);
  const linkBase = resolveWebUrl(link?.$?.['xml:base'], itemBase) ?? itemBase;
  const href = link?.$?.href ?? asText(item.link) ?? item['rdf:about'];
  const published = item.isoDate ?? item.pubDate ?? asText(item['dc:date']);
  const summary = asText(item.summary) ?? asText(item.content);
  const encoded = asText(item['content:encoded']);
  // Atom puts the full text in <content> (rss-parser's `content`) and the short one in
  // <summary>; RSS puts the short one in <description> (`content`) and the full one in
  // content:encoded.
  const contentHtml = encoded ?? (asText(item.summary) ? asText(item.content) : undefined);
  const guid = asText(item.guid) ?? asText(item.id);
  return {
    baseUrl: linkBase,
    ...(asText(item.title) !== undefined ? { title: asText(item.title) } : {}),
    ...(href !== undefined ? { link: resolveWebUrl(href, linkBase) ?? href } : {}),
    ...(guid !== undefined ? { guid } : {}),
    ...(published !== undefined ? { published } : {}),
    ...(summary !== undefined ? { summaryHtml: summary } : {}),
    ...(contentHtml !== undefined ? { contentHtml } : {}),
  };
}

/**
 * Parses an RSS 0.9x/1.0/2.0 or Atom document with rss-parser. Relative links are resolved
 * against `xml:base` (document, entry, link) and then `feedUrl`. Throws
 * {@link FeedInvalidError} for an empty body, a document declaring entities, malformed XML,
 * or a document that is not a feed (an HTML page).
 */
export async function parseFeed(xml: string, feedUrl: string): Promise<ParsedFeed> {
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new FeedInvalidError('empty', 'the feed is empty');
  if (internalSubset.test(text.slice(0, 10_000)) || entityDeclaration.test(text.slice(0, 10_000))) {
    throw new FeedInvalidError(
      'entity-declaration',
      'the feed declares XML entities (refused: entity expansion)',
    );
  }
  if (htmlDocument.test(text)) {
    throw new FeedInvalidError('not-a-feed', 'the address serves an HTML page, not a feed');
  }
  let raw: RawFeed & Parser.Output<RawItem>;
  try {
    raw = await new TolerantParser(parserOptions).parseString(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const isNotFeed = /not recognized|Unable to parse/i.test(message ?? '');
    throw new FeedInvalidError(
      isNotFeed ? 'not-a-feed' : 'malformed',
      isNotFeed ? 'the document is not an RSS or Atom feed' : `malformed XML: ${message}`,
      { cause: error },
    );
  }
  const feedBase = resolveWebUrl(raw.attributes?.['xml:base'], feedUrl) ?? feedUrl;
  const title = asText(raw.title);
  return {
    ...(title !== undefined ? { title } : {}),
    entries: (raw.items ?? []).map((item) => toEntry(item, feedBase)),
  };
}
