import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import { z } from 'zod';

import { type Action, can } from '../../editors/index.ts';
import { createTranslator, type Locale, type Translate } from '../../lib/index.ts';
import { negotiateLocale } from '../negotiate-locale.ts';
import { EDITOR_PREFIX, type SignedInEditor } from './session.ts';

/** Folder of the workspace's views: every `*.hbs` is a view and a partial of the same name. */
export const editorViewsDir = fileURLToPath(new URL('./views/', import.meta.url));

/** Folder of the workspace's strings: every `*.json` is `{ "fr": {…}, "en": {…} }`. */
export const editorStringsDir = fileURLToPath(new URL('./strings/', import.meta.url));

const StringsFileSchema = z.object({
  fr: z.record(z.string(), z.string()),
  en: z.record(z.string(), z.string()),
});

/** The workspace's views and translators, loaded once per app. */
export interface EditorViews {
  /** Renders `view` with `data`; `layout` wraps a page. */
  render(view: string, locale: Locale, data: Record<string, unknown>): string;
  t(locale: Locale): Translate;
  timeZone: string;
}

/** The navigation of the layout: key, path, label key, and the action needed to see it. */
const navigation: ReadonlyArray<{ key: string; href: string; label: string; action?: Action }> = [
  { key: 'home', href: EDITOR_PREFIX, label: 'editor.nav.home' },
  { key: 'inbox', href: `${EDITOR_PREFIX}/inbox`, label: 'editor.nav.inbox' },
  { key: 'issues', href: `${EDITOR_PREFIX}/issues`, label: 'editor.nav.issues' },
  { key: 'campaigns', href: `${EDITOR_PREFIX}/campaigns`, label: 'editor.nav.campaigns' },
  {
    key: 'subscribers',
    href: `${EDITOR_PREFIX}/subscribers`,
    label: 'editor.nav.subscribers',
    action: 'subscribers.manage',
  },
  {
    key: 'accounts',
    href: `${EDITOR_PREFIX}/accounts`,
    label: 'editor.nav.accounts',
    action: 'editors.manage',
  },
  { key: 'audit', href: `${EDITOR_PREFIX}/audit`, label: 'editor.nav.audit' },
];

/**
 * Loads the strings of `dir`: every file's French and English messages, merged. A key defined
 * by two files is an error (two route modules would overwrite each other's text).
 */
async function loadStrings(dir: string): Promise<Record<Locale, Record<string, string>>> {
  const merged: Record<Locale, Record<string, string>> = { fr: {}, en: {} };
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.json')) continue;
    const where = path.join(dir, file);
    const parsed = StringsFileSchema.safeParse(JSON.parse(await readFile(where, 'utf8')));
    if (!parsed.success) {
      throw new Error(`Workspace strings ${file}: expected { "fr": {…}, "en": {…} } of strings`);
    }
    for (const locale of ['fr', 'en'] as const) {
      for (const [key, value] of Object.entries(parsed.data[locale])) {
        if (key in merged[locale]) throw new Error(`Workspace strings ${file}: '${key}' twice`);
        merged[locale][key] = value;
      }
    }
  }
  return merged;
}

/**
 * Loads the workspace's views and strings. Every `{{value}}` is HTML-escaped; the one
 * triple-stash is the layout's `{{{body}}}`, a view rendered here with the same escaping.
 * Helpers: `t` (message, `{vars}` from the hash), `eq`, `concat`, `can` (the signed-in editor's
 * role allows an action), `dateTime` (date and time in the workspace's time zone), `date`.
 */
export async function loadEditorViews(
  options: { viewsDir?: string; stringsDir?: string; timeZone?: string | undefined } = {},
): Promise<EditorViews> {
  const dir = options.viewsDir ?? editorViewsDir;
  const timeZone = options.timeZone ?? 'Europe/Paris';
  const strings = await loadStrings(options.stringsDir ?? editorStringsDir);
  const translators: Record<Locale, Translate> = {
    fr: translatorOf(strings, 'fr'),
    en: translatorOf(strings, 'en'),
  };
  const dateTimes: Record<Locale, Intl.DateTimeFormat> = {
    fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone }),
    en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }),
  };
  const dates: Record<Locale, Intl.DateTimeFormat> = {
    fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone }),
    en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone }),
  };

  const hbs = Handlebars.create();
  type Data = { t: Translate; locale: Locale; role: string | undefined };
  hbs.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
    const vars: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
      vars[name] = typeof value === 'number' ? value : String(value ?? '');
    }
    return (options.data as Data).t(String(key), vars);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('can', (action: unknown, options: Handlebars.HelperOptions) => {
    const role = (options.data as Data).role;
    return role !== undefined && can(role as SignedInEditor['role'], action as Action);
  });
  const formatWith =
    (formats: Record<Locale, Intl.DateTimeFormat>) =>
    (value: unknown, options: Handlebars.HelperOptions) => {
      if (value === null || value === undefined || value === '') return '';
      const date = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(date.getTime())) return '';
      return formats[(options.data as Data).locale].format(date);
    };
  hbs.registerHelper('dateTime', formatWith(dateTimes));
  hbs.registerHelper('date', formatWith(dates));

  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.hbs')) continue;
    const name = path.basename(file, '.hbs');
    const source = await readFile(path.join(dir, file), 'utf8');
    hbs.registerPartial(name, source);
    templates.set(name, hbs.compile(source, { strict: false, preventIndent: true }));
  }

  return {
    timeZone,
    t: (locale) => translators[locale],
    render(view, locale, data) {
      const template = templates.get(view);
      if (!template) throw new Error(`No workspace view '${view}' in ${dir}`);
      const role = (data.editor as SignedInEditor | null | undefined)?.role;
      return template({ locale, ...data }, { data: { t: translators[locale], locale, role } });
    },
  };
}

/** The workspace's strings of `locale`, then French, then the shared catalogue (`locales/`). */
function translatorOf(strings: Record<Locale, Record<string, string>>, locale: Locale): Translate {
  const shared = createTranslator(locale);
  return (key, vars) => {
    const message = strings[locale][key] ?? strings.fr[key];
    if (message === undefined) return shared(key, vars);
    if (vars === undefined) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = vars[name];
      return value === undefined ? whole : String(value);
    });
  };
}

const viewsKey = Symbol('depeche.editorViews');

/** Makes the views reachable from the requests of `app`'s context (the workspace plugin). */
export function attachEditorViews(app: FastifyInstance, views: EditorViews): void {
  app.decorate(viewsKey, views);
}

/** The views of the workspace that serves `request`. */
export function editorViewsOf(request: FastifyRequest): EditorViews {
  const views = (request.server as unknown as Record<symbol, EditorViews | undefined>)[viewsKey];
  if (!views) throw new Error('renderEditorPage used outside the /editor plugin');
  return views;
}

/** The workspace language of a request: the signed-in editor's, else `?lang=`, else the browser's. */
export function editorLocale(request: FastifyRequest): Locale {
  if (request.editor) return request.editor.locale;
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  return negotiateLocale({
    requested: query?.lang ?? (typeof body === 'object' && body !== null ? body.lang : undefined),
    acceptLanguage: request.headers['accept-language'],
  });
}

/** The translator of the request's workspace language. */
export function editorT(request: FastifyRequest): Translate {
  return editorViewsOf(request).t(editorLocale(request));
}

/** Which navigation entry a path belongs to. */
function currentNav(url: string): string | undefined {
  const pathOnly = url.split('?')[0] ?? '';
  if (pathOnly === EDITOR_PREFIX || pathOnly === `${EDITOR_PREFIX}/`) return 'home';
  return navigation.find((item) => item.key !== 'home' && pathOnly.startsWith(item.href))?.key;
}

/**
 * Sends a workspace page: `view` rendered with `data` inside the shared layout (navigation,
 * sign-out button, language of the editor), as HTML, never cached. The status is the reply's
 * (`reply.code(400)` before calling). `data.title` is the page title (translated text);
 * absent, it is the string `editor.<view>.title` (a leading `editor-` of the view dropped). Every view gets `editor`, `locale`, `csrf`
 * (the token of its forms: `{{> csrf-field}}`) besides its data.
 */
export function renderEditorPage(
  reply: FastifyReply,
  request: FastifyRequest,
  view: string,
  data: Record<string, unknown> = {},
): FastifyReply {
  const views = editorViewsOf(request);
  const locale = editorLocale(request);
  const t = views.t(locale);
  const title =
    typeof data.title === 'string' ? data.title : t(`editor.${view.replace(/^editor-/, '')}.title`);
  const csrf = reply.generateCsrf();
  const editor = request.editor;
  const shared = { ...data, title, editor, csrf };
  const body = views.render(view, locale, shared);
  const current = currentNav(request.url);
  const nav =
    editor === null
      ? []
      : navigation
          .filter((item) => item.action === undefined || can(editor.role, item.action))
          .map((item) => ({ ...item, isCurrent: item.key === current }));
  const page = views.render('editor-layout', locale, {
    ...shared,
    nav,
    currentNav: request.url.split('?')[0] === `${EDITOR_PREFIX}/account` ? 'account' : current,
    body,
  });
  return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}
