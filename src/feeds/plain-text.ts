import sanitizeHtml from 'sanitize-html';

const blockTag =
  /<\/?(?:p|div|br|hr|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer|pre|dd|dt)\b[^>]*>/gi;

const stripOptions: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  // Content of these elements is code or chrome, never text a reader should see.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'template',
  ],
};

/**
 * Turns an HTML fragment (or text with entities) into plain text: tags and scripts removed,
 * entities decoded, whitespace collapsed. The result is text, never markup: whatever `<`
 * remains is a literal character that templates must escape.
 */
export function htmlToText(html: string): string {
  if (html === '') return '';
  // Block boundaries become spaces so that "<p>a</p><p>b</p>" reads "a b", not "ab".
  const spaced = html.replace(blockTag, ' $&');
  const escaped = sanitizeHtml(spaced, stripOptions);
  // sanitize-html re-escapes exactly these three characters in text.
  const text = escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return collapseWhitespace(text);
}

/** Collapses runs of whitespace (including no-break spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Shortens `text` to at most `maxLength` characters, cutting at a word boundary and ending
 * with `…`. A single word longer than the limit is cut inside.
 */
export function shortenText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const room = text.slice(0, maxLength - 1);
  const lastSpace = room.lastIndexOf(' ');
  const cut = lastSpace > maxLength / 2 ? room.slice(0, lastSpace) : room;
  return `${cut.replace(/[\s,;:.\-–—]+$/u, '')}…`;
}

/** Lower-case text without accents, for comparisons that ignore case and diacritics. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
