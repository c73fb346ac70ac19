import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import Handlebars from 'handlebars';

import { NotFoundError } from '../lib/index.ts';
import { registerHelpers } from './helpers.ts';

/** A compiled Handlebars template. */
export type CompiledTemplate = Handlebars.TemplateDelegate;

/** The two outputs of a template pair: MJML for the HTML part, text for the plain part. */
export type TemplateFormat = 'mjml' | 'text';

const extensions: Record<TemplateFormat, string> = { mjml: '.mjml.hbs', text: '.txt.hbs' };

/** A pair of compiled templates plus the partials that belong to their folder only. */
export interface TemplatePair {
  readonly mjml: CompiledTemplate;
  readonly text: CompiledTemplate;
  /** Partials of a newsletter's own folder, passed at render time (they may shadow shared ones). */
  readonly partials: Readonly<Record<TemplateFormat, Record<string, CompiledTemplate>>>;
}

/** Options of {@link createTemplateLoader}. */
export interface TemplateLoaderOptions {
  /** Root of the templates: `_shared/` and one folder per newsletter. */
  templatesDir: string;
}

/**
 * Loads and compiles templates from `templatesDir`, once per loader.
 *
 * - Every `templates/_shared/<name>.mjml.hbs` is a partial `<name>` of the MJML templates, every
 *   `<name>.txt.hbs` a partial `<name>` of the text templates (two Handlebars environments, so the
 *   same slot name works in both).
 * - `templates/<newsletter>/issue.{mjml,txt}.hbs` is a newsletter's issue template; its other
 *   `.hbs` files are partials of that newsletter only.
 * - The helpers (`t`, `formatDate`, `formatDateRange`, `markdown`, `placeholder`, `byDeadline`,
 *   `eq`) are registered once per environment; text templates do not HTML-escape.
 *
 * Templates are read once and cached: build a new loader to pick up edited files (the preview
 * server does this on every change).
 */
export function createTemplateLoader({ templatesDir }: TemplateLoaderOptions) {
  const environments: Record<TemplateFormat, typeof Handlebars> = {
    mjml: Handlebars.create(),
    text: Handlebars.create(),
  };
  registerHelpers(environments.mjml, 'html');
  registerHelpers(environments.text, 'text');

  let sharedReady: Promise<void> | undefined;
  const pairs = new Map<string, Promise<TemplatePair>>();

  function compile(format: TemplateFormat, source: string): CompiledTemplate {
    return environments[format].compile(source, { noEscape: format === 'text' });
  }

  async function readFolder(folder: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    let names: string[];
    try {
      names = await readdir(join(templatesDir, folder));
    } catch (error) {
      throw new NotFoundError(`Template folder '${join(templatesDir, folder)}' does not exist`, {
        cause: error,
      });
    }
    for (const name of names.sort()) {
      if (name.endsWith('.hbs'))
        files.set(name, await readFile(join(templatesDir, folder, name), 'utf8'));
    }
    return files;
  }

  function partialsOf(files: Map<string, string>, skip: ReadonlySet<string>) {
    const partials: Record<TemplateFormat, Record<string, CompiledTemplate>> = {
      mjml: {},
      text: {},
    };
    for (const [file, source] of files) {
      for (const format of ['mjml', 'text'] as const) {
        const extension = extensions[format];
        if (!file.endsWith(extension)) continue;
        const name = file.slice(0, -extension.length);
        if (!skip.has(name)) partials[format][name] = compile(format, source);
      }
    }
    return partials;
  }

  function loadShared(): Promise<void> {
    sharedReady ??= readFolder('_shared').then((files) => {
      const partials = partialsOf(files, new Set());
      for (const format of ['mjml', 'text'] as const) {
        for (const [name, partial] of Object.entries(partials[format])) {
          environments[format].registerPartial(name, partial);
        }
      }
    });
    return sharedReady;
  }

  async function loadPair(folder: string, name: string): Promise<TemplatePair> {
    await loadShared();
    const files = await readFolder(folder);
    const sources = {
      mjml: files.get(`${name}${extensions.mjml}`),
      text: files.get(`${name}${extensions.text}`),
    };
    for (const format of ['mjml', 'text'] as const) {
      if (sources[format] === undefined) {
        throw new NotFoundError(
          `Template '${join(templatesDir, folder, name + extensions[format])}' does not exist`,
        );
      }
    }
    return {
      mjml: compile('mjml', sources.mjml as string),
      text: compile('text', sources.text as string),
      // Shared templates are already registered globally; only a newsletter folder adds its own.
      partials: folder === '_shared' ? { mjml: {}, text: {} } : partialsOf(files, new Set([name])),
    };
  }

  function cached(folder: string, name: string): Promise<TemplatePair> {
    const key = `${folder}/${name}`;
    let pair = pairs.get(key);
    if (pair === undefined) {
      pair = loadPair(folder, name);
      // A failed load (missing file) is retried next time rather than cached.
      pair.catch(() => pairs.delete(key));
      pairs.set(key, pair);
    }
    return pair;
  }

  return {
    /** The issue templates of a newsletter: `templates/<newsletterId>/issue.{mjml,txt}.hbs`. */
    issueTemplates(newsletterId: string): Promise<TemplatePair> {
      return cached(newsletterId, 'issue');
    },
    /** A transactional message: `templates/_shared/<name>.{mjml,txt}.hbs`. */
    transactionalTemplates(name: string): Promise<TemplatePair> {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
        throw new NotFoundError(`Transactional template name '${name}' is not valid`);
      }
      return cached('_shared', name);
    },
  };
}

/** Loads and caches compiled templates; see {@link createTemplateLoader}. */
export type TemplateLoader = ReturnType<typeof createTemplateLoader>;
