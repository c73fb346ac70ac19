import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse } from 'yaml';
import { z } from 'zod';

import { checkIssueContent } from '../../compose/index.ts';
import {
  type CheckProblem,
  formatLocation,
  type Issue,
  type Newsletter,
  validateIssueText,
} from '../../content/index.ts';
import { type AuditActor, can, describeActor } from '../../editors/index.ts';
import { NotFoundError } from '../../lib/index.ts';
import { pageSecurityHeaders } from '../security-headers.ts';
import type { ComposerFiles } from './composer-deps.ts';
import { type ComposerForm, issueDataFromForm } from './composer-form.ts';
import { previewFrames } from './composer-preview-frames.ts';
import { reviewPanel } from './composer-review-panel.ts';
import { composerScript, composerScriptHash } from './composer-script.ts';
import { composerView } from './composer-view.ts';
import type { EditorContext } from './editor-context.ts';
import { editorLocale, editorT, renderEditorPage } from './editor-views.ts';
import { editorOf } from './session.ts';
import { testSendFormData } from './test-send-routes.ts';

/** Where the composer's pages live. */
export const ISSUES_PATH = '/editor/issues';

const MonthSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-(?:0[1-9]|1[0-2])$/, 'expected a month written YYYY-MM');

/** The editor as the audit log and the issue files' history name them. */
export function actorOf(request: FastifyRequest): AuditActor {
  const editor = editorOf(request);
  return { kind: 'editor', editorId: editor.id, name: editor.email };
}

/** The editor as the issue files' history names them (git shows their name when they have one). */
export function writerOf(request: FastifyRequest): AuditActor & { displayName?: string } {
  const editor = editorOf(request);
  return { ...actorOf(request), ...(editor.name ? { displayName: editor.name } : {}) };
}

/** The URL of an issue's page. */
export function issuePageUrl(newsletterId: string, month: string): string {
  return `${ISSUES_PATH}/${newsletterId}/${month}`;
}

/** The file's data for the form, even when `check` finds problems (undefined if not YAML). */
export function parseQuietly(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What the issue page shows besides the form. */
export interface PageExtras {
  notice?: string | undefined;
  error?: string | undefined;
  conflict?: { currentText: string; currentHash: string; mine: string } | undefined;
  /** The links checked by a refused approval. */
  linkReport?:
    | { links: Array<{ url: string; isOk: boolean; isKnown: boolean; reason: string | null }> }
    | undefined;
}

/** One showing of the issue page. */
export interface IssuePage {
  newsletter: Newsletter;
  month: string;
  form: ComposerForm;
  problems: readonly CheckProblem[];
  /** The hash of the file as it is now (the review state is of that version). */
  fileHash: string;
  extras?: PageExtras | undefined;
  /** The send-back comment typed before a refusal. */
  sendBackComment?: string;
}

/**
 * What the composer's route modules share: reading the route's issue, checking a form as
 * `depeche check` does, and drawing the issue page.
 */
export function createComposerPage(ctx: EditorContext, files: ComposerFiles) {
  const newsletterIds = new Set(ctx.newsletters.map((newsletter) => newsletter.id));
  const loadNewsletter = ctx.deps.loadNewsletter;
  if (!loadNewsletter) throw new Error('The composer needs deps.loadNewsletter');
  const pageHeaders = pageSecurityHeaders({
    isHttps: ctx.isHttps,
    scriptHashes: [composerScriptHash],
  });

  /** What `depeche check` says of the form's content, at the file's own place. */
  function check(
    newsletter: Newsletter,
    month: string,
    form: ComposerForm,
  ): { issue?: Issue; problems: CheckProblem[] } {
    const data = issueDataFromForm(newsletter.id, form);
    return validateIssueText(JSON.stringify(data), {
      file: `${newsletter.id}/${month}.yaml`,
      newsletters: [newsletter],
      checkPlacement: true,
    });
  }

  return {
    files,
    loadNewsletter,
    check,

    /** The issue a route names. @throws NotFoundError for an unknown newsletter or a bad month. */
    paramsOf(request: FastifyRequest): { newsletterId: string; month: string; key: string } {
      const params = request.params as { newsletter?: unknown; month?: unknown };
      const newsletterId = String(params.newsletter ?? '');
      const month = MonthSchema.safeParse(params.month);
      if (!newsletterIds.has(newsletterId) || !month.success) {
        throw new NotFoundError(`No issue '${newsletterId.slice(0, 50)}'`);
      }
      return { newsletterId, month: month.data, key: `${newsletterId}/${month.data}` };
    },

    /** Draws the issue page: the form, its problems, the review panel, the preview. */
    async show(request: FastifyRequest, reply: FastifyReply, page: IssuePage) {
      const t = editorT(request);
      const locale = editorLocale(request);
      const editor = editorOf(request);
      const key = `${page.newsletter.id}/${page.month}`;
      // The send guards (placeholders, past deadlines as of today, empty sections, images) on
      // the content as it stands, beside their fields; they block a campaign, not a save.
      const content = check(page.newsletter, page.month, page.form).issue;
      const testSend =
        ctx.deps.preview && can(editor.role, 'issue.test-send')
          ? await testSendFormData(
              ctx,
              request,
              { newsletter: page.newsletter.id, month: page.month },
              {
                language: locale,
                ...(content ? { issueJson: JSON.stringify(content) } : {}),
              },
            )
          : null;
      const findings = content
        ? checkIssueContent({ issue: content, sendAt: ctx.deps.clock.now() }).map((finding) => ({
            level: finding.level,
            location: formatLocation(finding.path),
            message: finding.message,
          }))
        : [];
      const view = composerView({
        form: page.form,
        problems: page.problems,
        findings,
        sections: page.newsletter.sections,
        locale,
        canWrite: true,
      });
      const inbox = ctx.deps.inbox
        ? await ctx.deps.inbox.list({
            newsletterId: page.newsletter.id,
            state: 'picked',
            since: 'any',
            pageSize: 50,
          })
        : null;
      const usedUrls = new Set(
        page.form.sections.flatMap((s) => s.items.map((item) => item.url.trim())),
      );
      const status = await ctx.deps.review.statusOf(key, page.fileHash);
      // Everything that happened to the issue, newest first: saves, review steps, test sends.
      const auditTrail = (
        await ctx.deps.audit.list({ objectType: 'issue', objectId: key, limit: 20 })
      ).map((entry) => ({
        at: entry.at,
        action: entry.action,
        who: describeActor(entry.actor),
        comment: typeof entry.details.comment === 'string' ? entry.details.comment : null,
      }));
      const action = issuePageUrl(page.newsletter.id, page.month);
      const frameQuery = (frame: (typeof previewFrames)[number]) =>
        `locale=${frame.locale}&width=${frame.width}&part=${frame.part}`;
      reply.headers(pageHeaders);
      return renderEditorPage(reply, request, 'composer-issue', {
        title: t('editor.composer.issue_title', {
          newsletter: page.newsletter.title,
          month: page.month,
        }),
        newsletter: { id: page.newsletter.id, title: page.newsletter.title },
        month: page.month,
        action,
        script: composerScript,
        testSend,
        issueJsonUrl: `${action}/issue-json`,
        preview: ctx.deps.preview
          ? {
              frames: previewFrames.map((frame) => ({
                ...frame,
                src: `${action}/preview?${frameQuery(frame)}`,
                formAction: `${action}/preview-form?${frameQuery(frame)}`,
              })),
            }
          : null,
        form: page.form,
        view,
        notice: page.extras?.notice,
        error: page.extras?.error,
        conflict: page.extras?.conflict,
        linkReport: page.extras?.linkReport,
        sendBackComment: page.sendBackComment ?? '',
        auditTrail,
        review: reviewPanel(status, editor, page.fileHash, page.problems.length),
        inbox: (inbox?.items ?? [])
          .filter((candidate) => candidate.usedInIssue === null || candidate.usedInIssue === key)
          .filter((candidate) => !usedUrls.has(candidate.url))
          .map((candidate) => ({
            id: candidate.id,
            title: candidate.issueTitle ?? candidate.title,
            source: candidate.sourceName,
            section:
              page.newsletter.sections.find((s) => s.id === candidate.sectionId)?.title[locale] ??
              null,
          })),
      });
    },
  };
}

/** See {@link createComposerPage}. */
export type ComposerPage = ReturnType<typeof createComposerPage>;
