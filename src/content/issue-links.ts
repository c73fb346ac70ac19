import { isHttpUrl } from './fields.ts';
import { valueAt } from './yaml-document.ts';

/** One link of an issue and where it appears. */
export interface IssueLink {
  url: string;
  /** Path of the field holding it, like `['sections', 0, 'items', 2, 'url']`. */
  path: Array<string | number>;
}

const MARKDOWN_LINK =
  /\]\(\s*<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"]*")?\s*\)|<(https?:\/\/[^\s>]+)>/gi;

/** The http(s) links of a Markdown text: inline links and autolinks. Pure. */
export function markdownLinks(markdown: string): string[] {
  return [...markdown.matchAll(MARKDOWN_LINK)].map((match) => (match[1] ?? match[2]) as string);
}

/**
 * Every link of an issue's raw data: item URLs and the links inside the introduction and the
 * summaries (French and English). Works on unvalidated data, so a file with other problems
 * still gets its links checked. Pure.
 */
export function collectIssueLinks(data: unknown): IssueLink[] {
  const links: IssueLink[] = [];
  const fromMarkdown = (path: Array<string | number>) => {
    const text = valueAt(data, path);
    if (typeof text === 'string') for (const url of markdownLinks(text)) links.push({ url, path });
  };
  fromMarkdown(['introduction']);
  fromMarkdown(['en', 'introduction']);
  const sections = valueAt(data, ['sections']);
  if (!Array.isArray(sections)) return links;
  sections.forEach((section: unknown, s) => {
    const items = valueAt(section, ['items']);
    if (!Array.isArray(items)) return;
    items.forEach((item: unknown, i) => {
      const url = valueAt(item, ['url']);
      if (typeof url === 'string' && isHttpUrl(url.trim())) {
        links.push({ url: url.trim(), path: ['sections', s, 'items', i, 'url'] });
      }
      fromMarkdown(['sections', s, 'items', i, 'summary']);
      fromMarkdown(['sections', s, 'items', i, 'en', 'summary']);
    });
  });
  return links;
}
