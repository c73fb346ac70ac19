import type { Issue, Newsletter } from '../content/index.ts';
import { createTranslator, hasTranslation, type Locale } from '../lib/index.ts';
import type { TemplateData } from './helpers.ts';
import { localizeIssue } from './localize.ts';
import { compileMjml } from './mjml-compiler.ts';
import type { RenderedIssue, RenderedMessage } from './rendered-issue.ts';
import { createTemplateLoader, type TemplatePair } from './template-loader.ts';

/** Options of {@link createRenderer}. */
export interface RendererOptions {
  /** Root of the templates (`TEMPLATES_DIR`, default `./templates`). */
  templatesDir: string;
}

/** Options of one issue render. */
export interface RenderIssueOptions {
  /**
   * When the reader gets the email (the planned send time): « closing soon » marks are computed
   * on its UTC date. Campaigns pass their send time, previews the current time or a day
   * `YYYY-MM-DD` (the preview's `as_of`).
   * @defaultValue the issue date
   */
  asOf?: Date | string | undefined;
}

/** Colours used by transactional messages that do not pass a newsletter's theme. */
const defaultTheme = { primary: '#1d3557', accent: '#e63946' } as const;

/** Tidies a text part: no trailing spaces, at most one blank line in a row, one final newline. */
export function normalizeText(text: string): string {
  return `${text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

async function run(pair: TemplatePair, context: object, locale: Locale, template: string) {
  const data: TemplateData = { locale };
  const mjml = pair.mjml(context, { data, partials: pair.partials.mjml });
  const text = pair.text(context, { data, partials: pair.partials.text });
  return { html: await compileMjml(mjml, template), text: normalizeText(text) };
}

/**
 * Builds the renderer: Handlebars templates → MJML (strict) → email HTML, plus the plain-text
 * alternative from the matching `.txt.hbs` template. Templates are compiled once per renderer.
 *
 * - `renderIssue` runs once per issue and language (`asOf`: the planned send time, for the
 *   « closing soon » marks); the result keeps the `PLACEHOLDERS` that
 *   `personalize` fills per recipient.
 * - `renderTransactional(name, locale, data)` renders `templates/_shared/<name>.{mjml,txt}.hbs`
 *   with `data` (plus `subject` and `preheader`). The subject is the locale message
 *   `email.<name>.subject`, the preheader `email.<name>.preheader` (empty when absent), both with
 *   `{vars}` filled from the string and number values of `data`.
 */
export function createRenderer({ templatesDir }: RendererOptions) {
  const loader = createTemplateLoader({ templatesDir });

  return {
    async renderIssue(
      issue: Issue,
      newsletter: Newsletter,
      locale: Locale,
      options: RenderIssueOptions = {},
    ): Promise<RenderedIssue> {
      const pair = await loader.issueTemplates(newsletter.id);
      const asOf =
        typeof options.asOf === 'string'
          ? options.asOf
          : (options.asOf?.toISOString().slice(0, 10) ?? issue.date);
      const view = localizeIssue(issue, newsletter, locale, asOf);
      const { html, text } = await run(pair, view, locale, `${newsletter.id}/issue.mjml.hbs`);
      return {
        newsletterId: newsletter.id,
        issueKey: view.issueKey,
        locale,
        subject: view.subject,
        preheader: view.preheader,
        html,
        text,
      };
    },

    async renderTransactional(
      name: string,
      locale: Locale,
      data: Readonly<Record<string, unknown>>,
    ): Promise<RenderedMessage> {
      const pair = await loader.transactionalTemplates(name);
      const t = createTranslator(locale);
      const vars: Record<string, string | number> = {};
      for (const [key, value] of Object.entries(data)) {
        if (typeof value === 'string' || typeof value === 'number') vars[key] = value;
      }
      const subject = t(`email.${name}.subject`, vars);
      const preheaderKey = `email.${name}.preheader`;
      const preheader = hasTranslation(locale, preheaderKey) ? t(preheaderKey, vars) : '';
      const context = { theme: defaultTheme, ...data, locale, subject, preheader };
      const { html, text } = await run(pair, context, locale, `_shared/${name}.mjml.hbs`);
      return { subject, html, text };
    },
  };
}

/** The renderer; see {@link createRenderer}. */
export type Renderer = ReturnType<typeof createRenderer>;
