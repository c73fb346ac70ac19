import { valueAt } from './yaml-document.ts';

/**
 * Something in an issue that a draft may hold but a sent issue must not: `depeche check`
 * reports it and `campaign create` refuses it (see `src/compose/send-guards.ts`).
 */
export interface ReadinessProblem {
  /** Stable code: `empty-section` or `markdown-image`. */
  code: 'empty-section' | 'markdown-image';
  /** Path of the field, like `['sections', 1, 'items']`. */
  path: Array<string | number>;
  /** Plain message in the words of `depeche check`. */
  message: string;
}

const MARKDOWN_IMAGE = /!\[([^\]]*)\]\(\s*<?([^\s)>]*)>?(?:\s+"[^"]*")?\s*\)/g;

/** The Markdown images `![alt](url)` of a text, in order. Pure. */
export function markdownImages(markdown: string): Array<{ alt: string; url: string }> {
  return [...markdown.matchAll(MARKDOWN_IMAGE)].map((match) => ({
    alt: match[1] ?? '',
    url: match[2] ?? '',
  }));
}

/** Paths of the Markdown fields of an issue's raw data: introductions and item summaries. */
export function markdownFieldPaths(data: unknown): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [['introduction'], ['en', 'introduction']];
  const sections = valueAt(data, ['sections']);
  if (Array.isArray(sections)) {
    sections.forEach((section: unknown, s) => {
      const items = valueAt(section, ['items']);
      if (!Array.isArray(items)) return;
      items.forEach((_item: unknown, i) => {
        paths.push(['sections', s, 'items', i, 'summary']);
        paths.push(['sections', s, 'items', i, 'en', 'summary']);
      });
    });
  }
  return paths.filter((path) => typeof valueAt(data, path) === 'string');
}

/**
 * What keeps an otherwise valid issue from being sent, on its raw data (so a file with other
 * problems still gets these reported):
 * - a section without items (a composer draft may hold one; the email never shows it);
 * - a Markdown image `![alt](url)`: emails carry no images (remote images are trackers, and
 *   the renderer's sanitiser removes them), so it would vanish from the email silently.
 * Pure.
 */
export function sendReadinessProblems(data: unknown): ReadinessProblem[] {
  const problems: ReadinessProblem[] = [];
  const sections = valueAt(data, ['sections']);
  if (Array.isArray(sections)) {
    sections.forEach((section: unknown, s) => {
      const items = valueAt(section, ['items']);
      if (Array.isArray(items) && items.length === 0) {
        const id = valueAt(section, ['id']);
        problems.push({
          code: 'empty-section',
          path: ['sections', s, 'items'],
          message: `section${typeof id === 'string' ? ` '${id}'` : ''} has no items; add one or remove the section before sending`,
        });
      }
    });
  }
  for (const path of markdownFieldPaths(data)) {
    for (const image of markdownImages(valueAt(data, path) as string)) {
      problems.push({
        code: 'markdown-image',
        path,
        message: `image ![${image.alt}](${image.url}) is not shown in the email (emails carry no images); write a link instead: [${image.alt || 'image'}](${image.url})`,
      });
    }
  }
  return problems;
}
