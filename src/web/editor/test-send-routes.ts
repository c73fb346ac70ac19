import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { Issue, Newsletter } from '../../content/index.ts';
import { can } from '../../editors/index.ts';
import { type Locale, locales, LocaleSchema, NotFoundError } from '../../lib/index.ts';
import { issueContentHash } from '../../mail/index.ts';
import { type TestSendResult } from '../../mail/index.ts';
import type { EditorContext } from './editor-context.ts';
import { sendEditorError } from './editor-errors.ts';
import { editorLocale, editorT, editorViewsOf, renderEditorPage } from './editor-views.ts';
import {
  type FieldProblem,
  ISSUE_BODY_LIMIT,
  IssueParamsSchema,
  loadSavedIssue,
  parseIssueField,
  placementProblems,
  previewPagesOf,
  sendFieldProblems,
} from './preview-routes.ts';
import { requireAction } from './require-action.ts';
import { editorOf } from './session.ts';

const RATE_WINDOW_MS = 15 * 60_000;

/** Who gets the test copies: the signed-in editor, the newsletter's testers, or both. */
export const TestSendTargetSchema = z.enum(['me', 'testers']);

const listOf = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item).max(10)])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The test-send form: `to` (me, testers) and `locale` (fr, en), each ticked once or more. */
export const TestSendFormSchema = z.object({
  to: listOf(TestSendTargetSchema).pipe(z.array(TestSendTargetSchema).min(1, 'to')),
  locale: listOf(LocaleSchema).pipe(z.array(LocaleSchema).min(1, 'locale')),
  /** Day of reference of the deadlines (the planned send day). @defaultValue the issue date */
  as_of: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** `1`: answer the result fragment alone (for a script that shows it in the composer). */
  partial: z.literal('1').optional(),
});

/** What the `test-send-form` partial shows; see {@link testSendFormData}. */
export interface TestSendFormData {
  action: string;
  editorEmail: string;
  testers: string[];
  locales: Array<{ locale: Locale; isChecked: boolean }>;
  /** The issue as JSON, sent in a hidden field (unsaved content); absent: the saved file. */
  issueJson?: string | undefined;
  testersHref?: string | undefined;
  error?: string | undefined;
}

/**
 * The data of the `test-send-form` partial for an issue of `newsletter`: the composer renders
 * `{{> test-send-form testSend}}` with it (and `issueJson` for the form's current content).
 */
export async function testSendFormData(
  ctx: EditorContext,
  request: FastifyRequest,
  params: { newsletter: string; month: string },
  options: { issueJson?: string; language?: Locale; error?: string } = {},
): Promise<TestSendFormData> {
  const deps = previewPagesOf(ctx);
  const editor = editorOf(request);
  const testers = await deps.testers.list(params.newsletter);
  const language = options.language ?? 'fr';
  return {
    action: `/editor/issues/${params.newsletter}/${params.month}/test-send`,
    editorEmail: editor.email,
    testers: testers.map((tester) => tester.email),
    locales: locales.map((locale) => ({ locale, isChecked: locale === language })),
    issueJson: options.issueJson,
    testersHref: can(editor.role, 'testers.manage')
      ? `/editor/newsletters/${params.newsletter}/testers`
      : undefined,
    error: options.error,
  };
}

function parseParams(request: FastifyRequest, ctx: EditorContext) {
  const parsed = IssueParamsSchema.safeParse(request.params);
  if (!parsed.success || !ctx.newsletters.some((n) => n.id === parsed.data.newsletter)) {
    throw new NotFoundError('No such newsletter or month');
  }
  return parsed.data;
}

/** One language's outcome as the result view shows it. */
function resultView(result: TestSendResult) {
  return {
    locale: result.locale,
    subject: result.subject,
    accepted: result.outcomes.flatMap((outcome) =>
      outcome.isSubmitted ? [{ to: outcome.to, response: outcome.response }] : [],
    ),
    failed: result.outcomes.flatMap((outcome) =>
      outcome.isSubmitted ? [] : [{ to: outcome.to, reply: outcome.failure.reply }],
    ),
  };
}

/**
 * The test-send routes (`issue.test-send`, every role):
 *
 * - `GET /issues/:newsletter/:month/test-send`: the form for the saved file;
 * - `POST /issues/:newsletter/:month/test-send` with `to` (`me`, `testers`), `locale` (`fr`,
 *   `en`), optionally `issue` (the form's current content as JSON; the saved file without it),
 *   `as_of` and `partial=1`: sends one `[TEST] ` copy per address and language through the
 *   test sender (the campaign's message path, the pseudo subscriber's signed links), records
 *   each language's send in the audit log (`issue.test-send`: who, to whom, issue key, content
 *   hash, language, refusals) and shows which addresses the relay accepted and which it refused.
 *   At most `testSendsPer15Minutes` (20) per editor; past it, 429.
 */
export function registerTestSendRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const path = '/issues/:newsletter/:month/test-send';
  // Per editor: a test send may mail every tester twice; a stuck button should not mail them all day.
  const perEditor = app.createRateLimit({
    max: ctx.deps.preview?.testSendsPer15Minutes ?? 20,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (request) => `editor-test-send:${request.editor?.id ?? request.ip}`,
  });
  const limited = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await perEditor(request);
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', String(result.ttlInSeconds));
      return sendEditorError(request, reply, 429, 'rate');
    }
    return undefined;
  };

  async function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    params: z.infer<typeof IssueParamsSchema>,
    options: { issueJson?: string; error?: string } = {},
  ) {
    const deps = previewPagesOf(ctx);
    const newsletter = await deps.loadNewsletter(params.newsletter);
    const t = editorT(request);
    return renderEditorPage(reply, request, 'test-send', {
      title: t('editor.test_send.title', { issue: `${params.newsletter}/${params.month}` }),
      previewHref: `/editor/issues/${params.newsletter}/${params.month}/preview`,
      testSend: await testSendFormData(ctx, request, params, {
        ...options,
        language: newsletter.language,
      }),
    });
  }

  app.get(path, { preHandler: requireAction('issue.test-send') }, async (request, reply) => {
    const params = parseParams(request, ctx);
    return showForm(request, reply, params);
  });

  app.post(
    path,
    { preHandler: [requireAction('issue.test-send'), limited], bodyLimit: ISSUE_BODY_LIMIT },
    async (request, reply) => {
      const deps = previewPagesOf(ctx);
      const params = parseParams(request, ctx);
      const editor = editorOf(request);
      const t = editorT(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const rawIssue = body.issue;
      const issueJson = typeof rawIssue === 'string' && rawIssue !== '' ? rawIssue : undefined;

      let content: { issue: Issue; newsletter: Newsletter; source: 'form' | 'file' };
      if (rawIssue !== undefined && rawIssue !== '') {
        const parsed = parseIssueField(rawIssue);
        const problems: FieldProblem[] = parsed.problems ?? placementProblems(parsed.issue, params);
        if (problems.length > 0 || !parsed.issue)
          return sendFieldProblems(request, reply, problems);
        const newsletter = await deps.loadNewsletter(params.newsletter);
        content = { issue: parsed.issue, newsletter, source: 'form' };
      } else {
        const saved = await loadSavedIssue(deps, params);
        if ('problems' in saved) return sendFieldProblems(request, reply, saved.problems);
        content = { ...saved, source: 'file' };
      }

      const form = TestSendFormSchema.safeParse(body);
      if (!form.success) {
        const field = String(form.error.issues[0]?.path[0] ?? 'to');
        reply.code(400);
        return showForm(request, reply, params, {
          ...(issueJson === undefined ? {} : { issueJson }),
          error: t(
            field === 'locale' ? 'editor.test_send.error.locale' : 'editor.test_send.error.to',
          ),
        });
      }
      const recipients = new Set<string>();
      if (form.data.to.includes('me')) recipients.add(editor.email.toLowerCase());
      if (form.data.to.includes('testers')) {
        const testers = await deps.testers.list(params.newsletter);
        if (testers.length === 0) {
          reply.code(400);
          return showForm(request, reply, params, {
            ...(issueJson === undefined ? {} : { issueJson }),
            error: t('editor.test_send.error.no_testers'),
          });
        }
        for (const tester of testers) recipients.add(tester.email);
      }

      const contentHash = issueContentHash(content.issue);
      const results: TestSendResult[] = [];
      for (const locale of new Set(form.data.locale)) {
        const result = await deps.testSender.sendIssue({
          issue: content.issue,
          newsletter: content.newsletter,
          to: [...recipients],
          locale,
          asOf: form.data.as_of,
        });
        results.push(result);
        await deps.audit.append(
          {
            actor: { kind: 'editor', editorId: editor.id, name: editor.email },
            action: 'issue.test-send',
            objectType: 'issue',
            objectId: result.issueKey,
            details: {
              locale: result.locale,
              to: result.outcomes.map((outcome) => outcome.to),
              refused: result.outcomes.filter((outcome) => !outcome.isSubmitted).length,
              contentHash,
              source: content.source,
            },
          },
          deps.clock.now(),
        );
      }
      const data = {
        issueKey: results[0]?.issueKey ?? `${params.newsletter}/${params.month}`,
        results: results.map(resultView),
        isAllAccepted: results.every((result) => result.outcomes.every((o) => o.isSubmitted)),
        backHref: `/editor/issues/${params.newsletter}/${params.month}/test-send`,
      };
      if (form.data.partial === '1') {
        const html = editorViewsOf(request).render('test-send-result', editorLocale(request), {
          ...data,
          editor: request.editor,
        });
        return reply
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(html);
      }
      return renderEditorPage(reply, request, 'test-send-result-page', {
        title: t('editor.test_send.result.title', { issue: data.issueKey }),
        ...data,
      });
    },
  );
}
