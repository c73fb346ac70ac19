import { createRequire } from 'node:module';

import { AppError } from '../lib/index.ts';

/** One MJML validation problem, as mjml-validator reports it. */
export interface MjmlProblem {
  line: number;
  message: string;
  tagName: string;
  formattedMessage: string;
}

interface MjmlResult {
  html: string;
  errors: MjmlProblem[];
}

type Mjml2Html = (
  mjml: string,
  options: {
    validationLevel: 'strict' | 'soft' | 'skip';
    keepComments?: boolean;
    fonts?: Record<string, string>;
    minify?: boolean;
    beautify?: boolean;
  },
) => Promise<MjmlResult>;

// mjml ships CommonJS without type declarations; its v5 `mjml2html` returns a Promise.
const mjml2html = createRequire(import.meta.url)('mjml') as Mjml2Html;

/** The MJML produced by a template is invalid; `problems` lists every validation error. */
export class TemplateInvalidError extends AppError {
  readonly problems: MjmlProblem[];

  constructor(template: string, problems: MjmlProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((problem) => `  line ${problem.line}: ${problem.message}`);
    super(
      'ETEMPLATE',
      `Template '${template}' produced invalid MJML:\n${lines.join('\n')}`,
      options,
    );
    this.problems = problems;
  }
}

/**
 * Compiles MJML to email HTML at strict validation: any MJML error fails the render with a
 * {@link TemplateInvalidError} naming `template` (a shipped template must have none). No web
 * fonts are linked and comments are dropped, to keep the HTML small.
 */
export async function compileMjml(mjml: string, template: string): Promise<string> {
  try {
    const result = await mjml2html(mjml, {
      validationLevel: 'strict',
      keepComments: false,
      fonts: {},
    });
    return result.html;
  } catch (error) {
    const problems = (error as { errors?: unknown }).errors;
    if (Array.isArray(problems)) {
      throw new TemplateInvalidError(template, problems as MjmlProblem[], { cause: error });
    }
    throw new AppError(
      'ETEMPLATE',
      `Template '${template}' could not be compiled by MJML: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}
