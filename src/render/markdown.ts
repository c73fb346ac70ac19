import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false });

const allowedLinkPattern = /^(https?:\/\/|mailto:)/i;

/**
 * What Markdown may become in an email: text formatting, lists, quotes and links. No images
 * (remote images are trackers and `data:` images a vector), no scripts, no styles, no event
 * handlers. Links keep only absolute `http(s):` and `mailto:` targets and open in a new tab.
 */
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'del',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'code',
    'pre',
    'h3',
    'h4',
    'hr',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    h1: 'h3',
    h2: 'h3',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs) => {
      const { href, title } = attribs;
      const link: Record<string, string> = { rel: 'noopener', target: '_blank' };
      // Relative links mean nothing in a mailbox; anything but http(s)/mailto is dropped here
      // before sanitize-html's own scheme check, which stays as the second line of defence.
      if (href !== undefined && allowedLinkPattern.test(href.trim())) link.href = href.trim();
      if (title !== undefined) link.title = title;
      return { tagName: 'a', attribs: link };
    },
  },
};

/**
 * Renders editor Markdown (summaries, introductions) to safe HTML for an email body.
 *
 * Markdown is rendered with marked, then sanitised with sanitize-html: the sanitiser, not the
 * Markdown parser, is what guarantees no `<script>`, no `on*=` attribute and no `javascript:` or
 * `data:` URL, whatever raw HTML the editor typed.
 */
export function markdownToHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return (
    sanitizeHtml(html, sanitizeOptions)
      // A link left without a usable target reads as its bare text.
      .replace(/<a rel="noopener" target="_blank">([\s\S]*?)<\/a>/g, '$1')
      .trim()
  );
}

/**
 * Renders editor Markdown to plain text with the same content as {@link markdownToHtml}: the
 * sanitised HTML is flattened, links become `text (url)`, list items `- item`, paragraphs are
 * separated by a blank line.
 */
export function markdownToText(markdown: string): string {
  return htmlFragmentToText(markdownToHtml(markdown));
}

/**
 * Flattens sanitised HTML (the output of {@link markdownToHtml}, which is well formed and uses
 * only a handful of tags) to plain text.
 */
export function htmlFragmentToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<a\b([^>]*)>([\s\S]*?)<\/a>/g, (_whole, attributes: string, inner: string) => {
        const text = inner.replace(/<[^>]+>/g, '');
        const href = /\shref="([^"]*)"/.exec(attributes)?.[1];
        if (href === undefined) return text;
        const url = decodeEntities(href);
        const shown = decodeEntities(text);
        return shown === url || shown === url.replace(/^mailto:/i, '') ? text : `${text} (${href})`;
      })
      .replace(/<br\s*\/?>/g, '\n')
      .replace(/<li[^>]*>\s*/g, '- ')
      .replace(/<\/li>\s*/g, '\n')
      .replace(/<hr\s*\/?>/g, '\n---\n\n')
      .replace(/<\/(p|ul|ol|blockquote|h3|h4|pre)>\s*/g, '\n\n')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const namedEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the entities sanitize-html and marked emit (named basics and numeric ones). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) {
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    }
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return namedEntities[entity.toLowerCase()] ?? whole;
  });
}
