import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { hasErrorCode, NotFoundError, ValidationError } from '../../lib/index.ts';
import { editorT, renderEditorPage } from './editor-views.ts';

/** The error page key and status of an error in the workspace. */
export function describeEditorError(error: unknown): { status: number; key: string } {
  if (error instanceof ValidationError) return { status: 400, key: 'bad_request' };
  if (error instanceof NotFoundError) return { status: 404, key: 'not_found' };
  if (hasErrorCode(error, 'EFORBIDDEN')) return { status: 403, key: 'forbidden' };
  if (hasErrorCode(error, 'EEXISTS')) return { status: 409, key: 'bad_request' };
  const status = (error as FastifyError).statusCode ?? 500;
  if (status === 403) return { status, key: 'csrf' };
  if (status === 429) return { status, key: 'rate' };
  if (status === 404) return { status, key: 'not_found' };
  if (status >= 400 && status < 500) return { status, key: 'bad_request' };
  return { status: 500, key: 'server' };
}

/** Sends the workspace's plain error page `editor.error.<key>.*` with `status`. */
export function sendEditorError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: string,
): FastifyReply {
  const t = editorT(request);
  reply.code(status);
  return renderEditorPage(reply, request, 'editor-message', {
    title: t(`editor.error.${key}.title`),
    paragraphs: [t(`editor.error.${key}.body`)],
    link: { href: request.editor ? '/editor' : '/editor/sign-in', label: t('editor.back_home') },
  });
}
