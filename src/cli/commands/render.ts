import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { loadIssue } from '../../content/index.ts';
import { LocaleSchema, ValidationError } from '../../lib/index.ts';
import {
  compilePersonalization,
  createRenderer,
  personalize,
  PLACEHOLDERS,
  previewValues,
} from '../../render/index.ts';
import { printResult } from '../context.ts';
import type { RegisterCommand } from '../program.ts';

interface RenderOptions {
  out: string;
  lang?: string;
  placeholders?: boolean;
  json?: boolean;
}

/**
 * `depeche render ISSUE --out DIR [--lang fr|en] [--placeholders]`: writes
 * `<newsletter>-<YYYY-MM>.html` and `.txt`, with a `-<lang>` suffix when the language is not
 * the newsletter's own. Placeholders get preview values unless `--placeholders` keeps them.
 */
export const registerRenderCommand: RegisterCommand = (program, ctx) => {
  program
    .command('render')
    .description('render an issue to HTML and plain text files')
    .argument('<issue>', "issue file path or '<newsletter>/<YYYY-MM>' (e.g. adn/2026-11)")
    .requiredOption('--out <dir>', 'directory to write the files to')
    .option('--lang <lang>', "language of the copy: 'fr' or 'en' (default: the newsletter's)")
    .option(
      '--placeholders',
      `keep ${Object.values(PLACEHOLDERS).join(', ')} instead of preview values`,
    )
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: RenderOptions) => {
      const config = ctx.config();
      const requested = LocaleSchema.optional().safeParse(options.lang);
      if (!requested.success) {
        throw new ValidationError(`--lang must be 'fr' or 'en', got '${options.lang}'`);
      }
      const { issue, newsletter } = await loadIssue(config.ISSUES_DIR, ref);
      const locale = requested.data ?? newsletter.language;
      const renderer = createRenderer({ templatesDir: config.TEMPLATES_DIR });
      const rendered = await renderer.renderIssue(issue, newsletter, locale);
      const body = options.placeholders
        ? rendered
        : personalize(compilePersonalization(rendered), previewValues(locale, config.PUBLIC_URL));
      const suffix = locale === newsletter.language ? '' : `-${locale}`;
      const base = `${rendered.issueKey.replace('/', '-')}${suffix}`;
      await mkdir(options.out, { recursive: true });
      const files = {
        html: join(options.out, `${base}.html`),
        text: join(options.out, `${base}.txt`),
      };
      await writeFile(files.html, body.html);
      await writeFile(files.text, body.text);
      const htmlBytes = Buffer.byteLength(body.html);
      printResult(
        ctx,
        options.json,
        { ...files, locale, subject: rendered.subject, htmlBytes },
        () => [
          `wrote ${files.html} (${Math.round(htmlBytes / 1024)} KB)`,
          `wrote ${files.text}`,
          ...(htmlBytes > 100 * 1024 ? ['warning: HTML over 100 KB, Gmail may clip it'] : []),
        ],
      );
    });
};
