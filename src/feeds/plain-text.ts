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
  // Plain text needs no parser (most titles): only whitespace to collapse.
  if (!/[<&]/.test(html)) return collapseWhitespace(html);
  // Block boundaries become spaces so that "<p>a</p><p>b</p>" reads "a b", not "ab".
  const spaced = html.replace(blockTag, ' $&');
  const escaped = sanitizeHtml(spaced, stripOptions);
  // sanitize-html re-escapes exactly these three characters in text.
  const text = escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return collapseWhitespace(text);
}

const basicEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * A quick, rough text of an HTML fragment for matching keywords and deadlines only: tags and
 * script bodies dropped, common entities decoded. Never shown to a reader (use
 * {@link htmlToText} for that).
 */
export function roughText(html: string): string {
  if (!/[<&]/.test(html)) return html;
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) {
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16) || 32);
      }
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)) || 32);
      return basicEntities[name.toLowerCase()] ?? entity;
    });
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
