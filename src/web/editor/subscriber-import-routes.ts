import { createReadStream } from 'node:fs';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { NotFoundError, ValidationError } from '../../lib/index.ts';
import type { ImportSummary } from '../../subscribers/index.ts';
import { multipartBoundary } from '../multipart-fields.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { type PendingImport, UploadIdSchema } from './import-uploads.ts';
import { parseMultipartUpload, type UploadedFile } from './multipart-upload.ts';
import { requireAction } from './require-action.ts';
import { editorOf } from './session.ts';
import type { SubscriberPagesDeps } from './subscriber-deps.ts';
import { recordAudit, subscribersPath } from './subscriber-pages.ts';

/** Largest CSV file the upload accepts. */
export const IMPORT_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** Where the parsed upload's files are in `request.body` (beside the text fields). */
const filesKey = Symbol('depeche.uploadedFiles');

type UploadBody = Record<string, unknown> & { [filesKey]?: UploadedFile[] };

/**
 * The CSV import by upload (admins only, `subscribers.manage`): the form, the upload (dry run
 * at once), the report of the dry run with its confirm button, the real import. The file waits
 * server-side between the two (`import-uploads.ts`), under a random id; only the editor who
 * uploaded it may confirm it, and the confirmation uses the newsletter and "confirmed" chosen
 * with the upload. The real import is audited (`subscribers.import`).
 */
export function registerSubscriberImportRoutes(
  app: FastifyInstance,
  ctx: EditorContext,
  deps: SubscriberPagesDeps,
): void {
  const manage = requireAction('subscribers.manage');
  const newsletterIds = ctx.newsletters.map((newsletter) => newsletter.id);

  app.get('/subscribers/import', { preHandler: manage }, (request, reply) =>
    renderImportForm(ctx, request, reply, {}),
  );

  // The upload route has its own multipart parser (files, 10 MB) in a context of its own: the
  // pages' parser (text fields, 16 KiB) stays everywhere else.
  void app.register(async (upload) => {
    // A file over the limit gets the form again, saying so; other errors go to the workspace's.
    upload.setErrorHandler((error, request, reply) => {
      if ((error as { statusCode?: number }).statusCode !== 413) throw error;
      reply.code(413);
      return renderImportForm(ctx, request, reply, {
        errors: {
          file: editorT(request)('editor.subscribers.import.error.too_large', {
            size: IMPORT_UPLOAD_LIMIT / (1024 * 1024),
          }),
        },
      });
    });
    upload.removeContentTypeParser('multipart/form-data');
    upload.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer' },
      (request, body, done) => {
        const boundary = multipartBoundary(String(request.headers['content-type'] ?? ''));
        const parsed =
          boundary === undefined ? undefined : parseMultipartUpload(body as Buffer, boundary);
        if (parsed === undefined) {
          done(
            Object.assign(new Error('Malformed multipart body'), { statusCode: 400 }),
            undefined,
          );
          return;
        }
        const result: UploadBody = { ...parsed.fields, [filesKey]: parsed.files };
        done(null, result);
      },
    );

    upload.post(
      '/subscribers/import',
      {
        bodyLimit: IMPORT_UPLOAD_LIMIT,
        // the role is checked before the body is read: nobody else uploads 10 MB
        onRequest: function checkRole(request, reply) {
          return manage.call(this, request, reply);
        },
      },
      async (request, reply) => {
        const t = editorT(request);
        const body = (request.body ?? {}) as UploadBody;
        if (typeof body !== 'object' || !(filesKey in body)) {
          throw new ValidationError('import: expected a multipart form with a file');
        }
        const form = z
          .object({
            newsletter: z.enum(newsletterIds).optional().catch(undefined),
            confirmed: z.literal('on').optional().catch(undefined),
          })
          .parse(body);
        const file = body[filesKey]?.find((f) => f.fieldName === 'file');
        const errors: Record<string, string> = {};
        if (form.newsletter === undefined) {
          errors.newsletter = t('editor.subscribers.import.error.newsletter');
        }
        if (file === undefined || (file.fileName === '' && file.data.length === 0)) {
          errors.file = t('editor.subscribers.import.error.file');
        } else if (file.data.length === 0) {
          errors.file = t('editor.subscribers.import.error.empty');
        }
        if (form.newsletter === undefined || file === undefined || errors.file !== undefined) {
          reply.code(400);
          return renderImportForm(ctx, request, reply, {
            errors,
            newsletter: form.newsletter,
            isConfirmed: form.confirmed === 'on',
          });
        }
        const fileName = file.fileName.trim().slice(-150) || 'upload.csv';
        const saved = await deps.uploads.save(file.data);
        let dryRun: ImportSummary;
        try {
          dryRun = await deps.service.importCsv(createReadStream(saved.file), {
            newsletterId: form.newsletter,
            isConfirmed: form.confirmed === 'on',
            isDryRun: true,
            fileName,
          });
        } catch (error) {
          await deps.uploads.discard(saved.file);
          if (!(error instanceof ValidationError)) throw error;
          reply.code(400);
          return renderImportForm(ctx, request, reply, {
            errors: {
              file: t('editor.subscribers.import.error.unreadable', { reason: error.message }),
            },
            newsletter: form.newsletter,
            isConfirmed: form.confirmed === 'on',
          });
        }
        await deps.uploads.describe({
          id: saved.id,
          editorId: editorOf(request).id,
          newsletterId: form.newsletter,
          isConfirmed: form.confirmed === 'on',
          fileName,
          uploadedAt: deps.clock.now().toISOString(),
          dryRun,
          result: null,
        });
        return reply.redirect(`${subscribersPath}/import/${saved.id}`, 303);
      },
    );
  });

  async function pendingOf(request: FastifyRequest<{ Params: { upload: string } }>) {
    const id = UploadIdSchema.safeParse(request.params.upload);
    const pending = id.success ? await deps.uploads.load(id.data) : null;
    // another editor's upload is as unknown as a missing one
    if (pending === null || pending.editorId !== editorOf(request).id) {
      throw new NotFoundError('No such upload');
    }
    return pending;
  }

  app.get<{ Params: { upload: string } }>(
    '/subscribers/import/:upload',
    { preHandler: manage },
    async (request, reply) => renderReport(ctx, request, reply, await pendingOf(request)),
  );

  app.post<{ Params: { upload: string } }>(
    '/subscribers/import/:upload/confirm',
    { preHandler: manage },
    async (request, reply) => {
      const pending = await pendingOf(request);
      const reportUrl = `${subscribersPath}/import/${pending.id}`;
      const file = await deps.uploads.claim(pending.id);
      // imported already (a second click, the back button): its report says so
      if (file === null) return reply.redirect(reportUrl, 303);
      try {
        const result = await deps.service.importCsv(createReadStream(file), {
          newsletterId: pending.newsletterId,
          isConfirmed: pending.isConfirmed,
          fileName: pending.fileName,
          concurrency: deps.importConcurrency ?? 1,
        });
        await deps.uploads.describe({ ...pending, result });
        await recordAudit(deps, request, {
          action: 'subscribers.import',
          objectType: 'newsletter',
          objectId: pending.newsletterId,
          details: {
            file: pending.fileName,
            isConfirmed: pending.isConfirmed,
            rows: result.rows,
            created: result.created,
            updated: result.updated,
            unchanged: result.unchanged,
            suppressed: result.suppressed,
            skipped: result.skipped,
            invalid: result.invalid,
          },
        });
      } finally {
        await deps.uploads.discard(file);
      }
      return reply.redirect(reportUrl, 303);
    },
  );
}

function renderImportForm(
  ctx: EditorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  form: { errors?: Record<string, string>; newsletter?: string | undefined; isConfirmed?: boolean },
): FastifyReply {
  return renderEditorPage(reply, request, 'subscribers-import', {
    title: editorT(request)('editor.subscribers.import.title'),
    newsletters: ctx.newsletters.map((n) => ({ ...n, isSelected: n.id === form.newsletter })),
    errors: form.errors ?? {},
    hasErrors: Object.keys(form.errors ?? {}).length > 0,
    isConfirmed: form.isConfirmed ?? false,
    maxMegabytes: IMPORT_UPLOAD_LIMIT / (1024 * 1024),
  });
}

function renderReport(
  ctx: EditorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  pending: PendingImport,
): FastifyReply {
  const t = editorT(request);
  const summary = pending.result ?? pending.dryRun;
  const counts = (
    ['created', 'updated', 'unchanged', 'suppressed', 'skipped', 'invalid'] as const
  ).map((key) => ({
    key,
    label: t(`editor.subscribers.import.count.${key}`),
    value: summary[key],
  }));
  return renderEditorPage(reply, request, 'subscribers-import-report', {
    title: t(
      pending.result
        ? 'editor.subscribers.import.done.title'
        : 'editor.subscribers.import.dry_run.title',
    ),
    pending,
    isDone: pending.result !== null,
    newsletter:
      ctx.newsletters.find((n) => n.id === pending.newsletterId)?.title ?? pending.newsletterId,
    summary,
    counts,
    encodingNote:
      summary.encoding === 'utf-8'
        ? null
        : t('editor.subscribers.import.encoding', { encoding: summary.encoding.toUpperCase() }),
    moreInvalid: summary.invalid - summary.invalidRows.length,
  });
}
