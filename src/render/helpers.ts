import type Handlebars from 'handlebars';

import {
  createTranslator,
  type DateInput,
  formatDate,
  formatDateRange,
  formatWhen,
  type Locale,
  type Translate,
} from '../lib/index.ts';
import { markdownToHtml, markdownToText } from './markdown.ts';
import { placeholderNames, PLACEHOLDERS, placeholderTemplateName } from './placeholders.ts';

/** Whether a Handlebars environment writes MJML/HTML or plain text. */
export type HelperMode = 'html' | 'text';

/**
 * Data every template run receives as `@`-variables: `@locale`. Helpers read the language from
 * it, so the helpers are registered once and serve both languages.
 */
export interface TemplateData {
  locale: Locale;
}

const translators: Record<Locale, Translate> = {
  fr: createTranslator('fr'),
  en: createTranslator('en'),
};

/** The token of each placeholder by the name templates give it (`unsubscribe_url`). */
const placeholderTokens = new Map(
  placeholderNames.map((name) => [placeholderTemplateName(name), PLACEHOLDERS[name]]),
);

function localeOf(options: Handlebars.HelperOptions): Locale {
  const locale = (options.data as Partial<TemplateData> | undefined)?.locale;
  return locale === 'en' ? 'en' : 'fr';
}

/** Items ordered by deadline (earliest first); items without one keep their order, last. */
export function sortByDeadline<T extends { deadline?: string | undefined }>(
  items: readonly T[],
): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const [x, y] = [a.item.deadline, b.item.deadline];
      if (x === undefined || y === undefined) {
        return x === y ? a.index - b.index : x === undefined ? 1 : -1;
      }
      return x.localeCompare(y) || a.index - b.index;
    })
    .map(({ item }) => item);
}

/** The optional fields of an item that {@link itemFacts} shows. */
interface FactsSource {
  institution?: string;
  location?: string;
  start?: string;
  end?: string;
  place?: string;
  source?: string;
  date?: string;
  authors?: string;
  publisher?: string;
}

/**
 * The kind-specific facts of an item as short localised phrases, in a fixed order: institution,
 * location, event dates, place, source, date, authors, publisher. (The deadline is shown apart.)
 */
export function itemFacts(item: FactsSource, locale: Locale): string[] {
  const t = translators[locale];
  const facts: string[] = [];
  if (item.institution) facts.push(t('email.institution', { institution: item.institution }));
  if (item.location) facts.push(t('email.location', { location: item.location }));
  if (item.start) {
    const isSpan = item.end !== undefined && item.end.slice(0, 10) !== item.start.slice(0, 10);
    const when = formatWhen(item.start, item.end, locale);
    facts.push(isSpan ? t('email.dates', { dates: when }) : t('email.date', { date: when }));
  }
  if (item.place) facts.push(t('email.place', { place: item.place }));
  if (item.source) facts.push(t('email.source', { source: item.source }));
  if (item.date) facts.push(formatDate(item.date, locale));
  if (item.authors) facts.push(t('email.authors', { authors: item.authors }));
  if (item.publisher) facts.push(t('email.publisher', { publisher: item.publisher }));
  return facts;
}

/**
 * Registers Dépêche's template helpers on one Handlebars environment.
 *
 * - `{{t "email.deadline" date=…}}`: message of `locales/<@locale>.json`, `{vars}` from the hash.
 * - `{{formatDate date}}`, `{{formatDateRange start end}}`: « 12 novembre 2026 » / "12 November 2026".
 * - `{{markdown summary}}`: sanitised HTML (html mode) or flattened text (text mode).
 * - `{{placeholder "unsubscribe_url"}}`: the per-recipient placeholder (see `PLACEHOLDERS`).
 * - `{{#each (byDeadline items)}}`: items by deadline; `{{#if (eq kind "event")}}`;
 *   `{{t (concat "item.kind." kind)}}`; `{{#each (itemFacts this)}}` (see {@link itemFacts}).
 * - `{{#indent 2}}…{{/indent}}`: indents every non-empty line (for text templates).
 */
export function registerHelpers(env: typeof Handlebars, mode: HelperMode): void {
  const markup = (html: string) => (mode === 'html' ? new env.SafeString(html) : html);

  env.registerHelper('t', function (key: unknown, options: Handlebars.HelperOptions) {
    const vars: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') vars[name] = value;
      // A helper's markup (say `value=(placeholder "unsubscribe_url")`) is inserted as its text.
      else if (value instanceof env.SafeString) vars[name] = value.toString();
    }
    return translators[localeOf(options)](String(key), vars);
  });

  env.registerHelper('formatDate', function (date: unknown, options: Handlebars.HelperOptions) {
    if (typeof date !== 'string' && !(date instanceof Date)) return '';
    return formatDate(date, localeOf(options));
  });

  env.registerHelper(
    'formatDateRange',
    function (start: unknown, end: unknown, options: Handlebars.HelperOptions) {
      if (typeof start !== 'string' && !(start instanceof Date)) return '';
      const until = typeof end === 'string' || end instanceof Date ? (end as DateInput) : undefined;
      return formatDateRange(start, until, localeOf(options));
    },
  );

  env.registerHelper('markdown', function (source: unknown) {
    if (typeof source !== 'string' || source.trim() === '') return '';
    return mode === 'html' ? markup(markdownToHtml(source)) : markdownToText(source);
  });

  env.registerHelper('placeholder', function (name: unknown) {
    const token = placeholderTokens.get(String(name));
    if (token === undefined) {
      throw new Error(
        `Unknown placeholder '${String(name)}' (known: ${[...placeholderTokens.keys()].join(', ')})`,
      );
    }
    return markup(token);
  });

  env.registerHelper('byDeadline', function (items: unknown) {
    return Array.isArray(items) ? sortByDeadline(items as Array<{ deadline?: string }>) : [];
  });

  env.registerHelper('itemFacts', function (item: unknown, options: Handlebars.HelperOptions) {
    return itemFacts((item ?? {}) as FactsSource, localeOf(options));
  });

  env.registerHelper(
    'indent',
    function (this: unknown, width: unknown, options: Handlebars.HelperOptions) {
      const pad = ' '.repeat(typeof width === 'number' ? width : 2);
      const content = String(options.fn(this));
      return content.replace(/^(?=[^\n])/gm, pad);
    },
  );

  env.registerHelper('concat', function (...args: unknown[]) {
    return args.slice(0, -1).map(String).join('');
  });

  env.registerHelper('eq', function (a: unknown, b: unknown) {
    return a === b;
  });
}
