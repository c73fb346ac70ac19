import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Handlebars from 'handlebars';

import { createTranslator, type Locale, type Translate } from '../lib/index.ts';

/** Folder of the page templates shipped with the code. */
export const viewsDir = fileURLToPath(new URL('./views/', import.meta.url));

/** What every page gets besides its own data. */
export interface PageFrame {
  locale: Locale;
  /** `<title>`, also the page heading where the view shows it. */
  title: string;
  /** Path of the page without query, for the language switch. */
  path: string;
  /**
   * The page's other query parameters (`q=…`), URL-encoded, without `lang`: the language switch
   * keeps them. `sendPage` fills it from the URL of a GET.
   */
  query?: string | undefined;
  /** Adds `noindex`: token pages are personal. */
  isPrivate?: boolean;
  feed?: { url: string; title: string };
}

/** Renders the pages: `page` wraps a view in the layout, `fragment` renders a bare view. */
export interface PageViews {
  page(view: string, frame: PageFrame, data?: Record<string, unknown>): string;
  fragment(view: string, locale: Locale, data: Record<string, unknown>): string;
  /** The translator of a page language. */
  t(locale: Locale): Translate;
}

/** The link of the language switch to `locale`: the same page and query, in that language. */
export function languageLink(frame: Pick<PageFrame, 'path' | 'query'>, locale: Locale): string {
  const query = frame.query ? `${frame.query}&` : '';
  return `${frame.path}?${query}lang=${locale}`;
}

/**
 * Loads the Handlebars views of `dir` (each `*.hbs` is a view and a partial of the same name).
 * Every `{{value}}` is HTML-escaped; the only triple-stash is the layout's `{{{body}}}`, which is
 * a view rendered here with the same escaping. User data is never concatenated into markup.
 */
export async function loadPageViews(dir: string = viewsDir): Promise<PageViews> {
  const hbs = Handlebars.create();
  const translators: Record<Locale, Translate> = {
    fr: createTranslator('fr'),
    en: createTranslator('en'),
  };
  hbs.registerHelper(
    't',
    function (this: unknown, key: unknown, options: Handlebars.HelperOptions) {
      const t = (options.data as { t: Translate }).t;
      const vars: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
        vars[name] = typeof value === 'number' ? value : String(value ?? '');
      }
      return t(String(key), vars);
    },
  );
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));

  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.hbs')) continue;
    const name = path.basename(file, '.hbs');
    const source = await readFile(path.join(dir, file), 'utf8');
    hbs.registerPartial(name, source);
    templates.set(name, hbs.compile(source, { strict: false, preventIndent: true }));
  }
  const get = (name: string): Handlebars.TemplateDelegate => {
    const template = templates.get(name);
    if (!template) throw new Error(`No page view '${name}' in ${dir}`);
    return template;
  };

  const fragment = (view: string, locale: Locale, data: Record<string, unknown>) =>
    get(view)({ locale, ...data }, { data: { t: translators[locale] } });

  return {
    fragment,
    t: (locale) => translators[locale],
    page(view, frame, data = {}) {
      const body = fragment(view, frame.locale, { ...data, path: frame.path });
      return fragment('layout', frame.locale, {
        ...frame,
        languageLinks: {
          fr: languageLink(frame, 'fr'),
          en: languageLink(frame, 'en'),
        },
        body,
      });
    },
  };
}
