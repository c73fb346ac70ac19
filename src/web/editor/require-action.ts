import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

import { type Action, can } from '../../editors/index.ts';
import { editorT, renderEditorPage } from './editor-views.ts';

/**
 * A route `preHandler` letting through only editors whose role allows `action`
 * (`can(role, action)`, the one permission table). Anyone else gets the 403 page and the route's
 * handler never runs, so nothing changes. The refusal is logged, not audited: nothing happened.
 *
 * ```ts
 * app.post('/campaigns/:id/send', { preHandler: requireAction('campaign.send') }, handler);
 * ```
 */
export function requireAction(action: Action): preHandlerAsyncHookHandler {
  return async function checkRole(request: FastifyRequest, reply: FastifyReply) {
    const editor = request.editor;
    if (editor !== null && can(editor.role, action)) return;
    request.log.info(
      { event: 'editor.forbidden', action, editorId: editor?.id ?? null, role: editor?.role },
      'workspace action refused',
    );
    const t = editorT(request);
    reply.code(editor === null ? 401 : 403);
    return renderEditorPage(reply, request, 'editor-message', {
      title: t('editor.forbidden.title'),
      paragraphs: [
        t('editor.forbidden.body', { role: t(`editor.role.${editor?.role ?? 'none'}`) }),
      ],
      link: { href: '/editor', label: t('editor.back_home') },
    });
  };
}
