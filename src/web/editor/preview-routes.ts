import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  formatLocation,
  type Issue,
  IssueFileInvalidError,
  IssueSchema,
  type Newsletter,
} from '../../content/index.ts';
import { LocaleSchema, NotFoundError } from '../../lib/index.ts';
import type { PreviewProblem } from '../../mail/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import type { PreviewPagesDeps } from './preview-deps.ts';
import {
  PREVIEW_WIDTHS,
  previewContentSecurityPolicy,
  previewDocument,
  type PreviewPart,
  type PreviewWidth,
} from './preview-document.ts';

/** Largest body of a preview or test-send POST: a whole issue as JSON. @defaultValue 512 KiB */
export const ISSUE_BODY_LIMIT = 512 * 1024;

/** `:newsletter/:month` of the issue routes; `month` is `YYYY-MM`. */
export const IssueParamsSchema = z.object({
  newsletter: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  month: z.string().regex(/^\d{4}-(?:0[1-9]|1[0-2])$/),
});

/** How a preview is asked for (query of the GET, fields of the POST). */
export const PreviewOptionsSchema = z.object({
  /** The copy's language. @defaultValue the newsletter's */
  locale: LocaleSchema.optional(),
  /** The email in a frame of this width; absent, the email's own document. */
  width: z.enum(PREVIEW_WIDTHS).optional(),
  /** @defaultValue 'html' */
  part: z.enum(['html', 'text']).default('html'),
  /** Day of reference of the deadlines (the planned send day). @defaultValue the issue date */
  as_of: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day YYYY-MM-DD')
    .optional(),
});

/** Options of {@link previewResponse}. */
export interface PreviewResponseOptions {
  locale?: z.infer<typeof LocaleSchema> | undefined;
  width?: PreviewWidth | undefined;
  part?: PreviewPart | undefined;
  /** `YYYY-MM-DD`. @defaultValue the issue date */
  asOf?: string | undefined;
}

/** A problem of posted content: the field (`issue.sections[0].items[1].url`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The problems of a preview in the editor's language (`editor.preview.problem.<code>`), for the
 * composer to show beside the preview: `{ code, location, text }`.
 */
export function previewProblemTexts(
  request: FastifyRequest,
  problems: readonly PreviewProblem[],
): Array<{ code: string; location: string; text: string }> {
  const t = editorT(request);
  return problems.map((problem) => ({
    code: problem.code,
    location: problem.location,
    text: t(`editor.preview.problem.${problem.code}`, problem.values),
  }));
}

/** The preview pages' dependencies; 404 when the workspace was built without them. */
export function previewPagesOf(ctx: EditorContext): PreviewPagesDeps {
  const deps = ctx.deps.preview;
  if (deps === undefined) throw new NotFoundError('The preview pages are not configured');
  return deps;
}

/**
 * Parses the `issue` field of a form or JSON body: JSON text (or, in a JSON body, the object
 * itself) validated with `IssueSchema`. Problems name the field, as `issue.sections[0].url`.
 */
export function parseIssueField(
  value: unknown,
): { issue: Issue; problems?: undefined } | { issue?: undefined; problems: FieldProblem[] } {
  if (value === undefined || value === '') {
    return { problems: [{ field: 'issue', message: 'missing: expected the issue as JSON' }] };
  }
  let data: unknown = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { problems: [{ field: 'issue', message: `not valid JSON (${reason})` }] };
    }
  }
  const parsed = IssueSchema.safeParse(data);
  if (parsed.success) return { issue: parsed.data };
  return {
    problems: parsed.error.issues.map((problem) => ({
      field: ['issue', formatLocation(problem.path)].filter((part) => part !== '').join('.'),
      message: problem.message,
    })),
  };
}

/** The problems of a posted issue that does not belong at `:newsletter/:month`. */
export function placementProblems(
  issue: Issue,
  params: z.infer<typeof IssueParamsSchema>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (issue.newsletter !== params.newsletter) {
    problems.push({
      field: 'issue.newsletter',
      message: `expected '${params.newsletter}', the newsletter of this page, got '${issue.newsletter}'`,
    });
  }
  if (issue.date.slice(0, 7) !== params.month) {
    problems.push({
      field: 'issue.date',
      message: `expected a day of ${params.month}, the month of this issue, got ${issue.date}`,
    });
  }
  return problems;
}

function wantsJson(request: FastifyRequest): boolean {
  return /\bapplication\/json\b/i.test(String(request.headers.accept ?? ''));
}

/**
 * Answers 422 with `problems`: as JSON (`{ problems }`) when asked, else a workspace page
 * listing each field and what is wrong, in the editor's language.
 */
export function sendFieldProblems(
  request: FastifyRequest,
  reply: FastifyReply,
  problems: readonly FieldProblem[],
): FastifyReply {
  reply.code(422);
  if (wantsJson(request)) return reply.header('cache-control', 'no-store').send({ problems });
  const t = editorT(request);
  return renderEditorPage(reply, request, 'preview-problems', {
    title: t('editor.preview.invalid.title'),
    problems,
  });
}

/**
 * Sends the preview of `issue` for the composer's iframe (see `previewDocument`): the email as
 * it goes out, or its text part, in `locale` (the newsletter's language by default), under the
 * preview's Content-Security-Policy, never cached. With `Accept: application/json` it sends the
 * preview itself (`{ html, text, subject, preheader, bytes, problems, … }`) with `problemTexts`,
 * the problems in the editor's language. The composer's own
 * routes call it for content they parsed from their form.
 */
export async function previewResponse(
  reply: FastifyReply,
  ctx: EditorContext,
  issue: Issue,
  newsletter: Newsletter,
  options: PreviewResponseOptions = {},
): Promise<FastifyReply> {
  const deps = previewPagesOf(ctx);
  const locale = options.locale ?? newsletter.language;
  const preview = await deps.preview.renderPreview(issue, newsletter, locale, {
    asOf: options.asOf,
  });
  reply.header('cache-control', 'no-store');
  if (wantsJson(reply.request)) {
    return reply.send({
      ...preview,
      problemTexts: previewProblemTexts(reply.request, preview.problems),
    });
  }
  const t = editorT(reply.request);
  const part = options.part ?? 'html';
  const frameTitle = t(`editor.preview.frame.${part}`, { width: options.width ?? '' });
  return reply
    .header('content-security-policy', previewContentSecurityPolicy)
    .header('x-frame-options', 'SAMEORIGIN')
    .type('text/html; charset=utf-8')
    .send(previewDocument(preview, { part, width: options.width, frameTitle }));
}

function parseParams(request: FastifyRequest, ctx: EditorContext) {
  const parsed = IssueParamsSchema.safeParse(request.params);
  if (!parsed.success || !ctx.newsletters.some((n) => n.id === parsed.data.newsletter)) {
    throw new NotFoundError('No such newsletter or month');
  }
  return parsed.data;
}

function optionProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((problem) => ({
    field: formatLocation(problem.path),
    message: problem.message,
  }));
}

/**
 * Loads the saved issue file of `:newsletter/:month`; an invalid file answers 422 with its
 * problems (as `depeche check` words them), a missing one 404.
 */
export async function loadSavedIssue(
  deps: PreviewPagesDeps,
  params: z.infer<typeof IssueParamsSchema>,
): Promise<{ issue: Issue; newsletter: Newsletter } | { problems: FieldProblem[] }> {
  try {
    return await deps.loadIssue(`${params.newsletter}/${params.month}`);
  } catch (error) {
    if (error instanceof IssueFileInvalidError) {
      return {
        problems: error.problems.map((problem) => ({
          field: problem.location === '' ? 'issue' : `issue.${problem.location}`,
          message:
            problem.line === undefined
              ? problem.message
              : `line ${problem.line}: ${problem.message}`,
        })),
      };
    }
    throw error;
  }
}

/**
 * The preview routes (every signed-in role; read-only):
 *
 * - `GET /issues/:newsletter/:month/preview?locale=&width=&part=&as_of=`: the saved file;
 * - `POST /issues/:newsletter/:month/preview` with `issue` (the issue as JSON, saved or not),
 *   `locale`, `width`, `part`, `as_of`: 422 naming every invalid field.
 */
export function registerPreviewRoutes(app: FastifyInstance, ctx: EditorContext): void {
  app.get('/issues/:newsletter/:month/preview', async (request, reply) => {
    const deps = previewPagesOf(ctx);
    const params = parseParams(request, ctx);
    const options = PreviewOptionsSchema.safeParse(request.query ?? {});
    if (!options.success) return sendFieldProblems(request, reply, optionProblems(options.error));
    const saved = await loadSavedIssue(deps, params);
    if ('problems' in saved) return sendFieldProblems(request, reply, saved.problems);
    return previewResponse(reply, ctx, saved.issue, saved.newsletter, {
      locale: options.data.locale,
      width: options.data.width,
      part: options.data.part,
      asOf: options.data.as_of,
    });
  });

  app.post(
    '/issues/:newsletter/:month/preview',
    { bodyLimit: ISSUE_BODY_LIMIT },
    async (request, reply) => {
      const deps = previewPagesOf(ctx);
      const params = parseParams(request, ctx);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const { issue: field, _csrf: _token, ...rest } = body;
      const options = PreviewOptionsSchema.safeParse({
        ...(request.query as Record<string, unknown>),
        ...rest,
      });
      const parsed = parseIssueField(field);
      const problems = [
        ...(parsed.problems ?? placementProblems(parsed.issue, params)),
        ...(options.success ? [] : optionProblems(options.error)),
      ];
      if (problems.length > 0 || !parsed.issue || !options.success) {
        return sendFieldProblems(request, reply, problems);
      }
      const newsletter = await deps.loadNewsletter(params.newsletter);
      return previewResponse(reply, ctx, parsed.issue, newsletter, {
        locale: options.data.locale,
        width: options.data.width,
        part: options.data.part,
        asOf: options.data.as_of,
      });
    },
  );
}
