import type { FastifyRequest } from 'fastify';

import type { AuditActor } from '../../editors/index.ts';
import type { ConsentMeta } from '../../subscribers/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorOf } from './session.ts';
import type { SubscriberPagesDeps } from './subscriber-deps.ts';

/** Where the subscriber pages live, under `/editor`. */
export const subscribersPath = '/editor/subscribers';

/** Rows per page of the subscriber and suppression lists. */
export const pageSize = 50;

/** The subscriber pages' dependencies, or undefined when the workspace was built without. */
export function subscriberPagesOf(ctx: EditorContext): SubscriberPagesDeps | undefined {
  return ctx.deps.subscribers;
}

/** The signed-in editor as the audit log's actor. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  const editor = editorOf(request);
  return { kind: 'editor', editorId: editor.id, name: editor.email };
}

/** Consent events written from the workspace name the editor's account. */
export function consentMetaOf(request: FastifyRequest): ConsentMeta {
  return { source: `editor:${editorOf(request).id}` };
}

/** Appends an audit entry for what the signed-in editor just did. */
export async function recordAudit(
  deps: SubscriberPagesDeps,
  request: FastifyRequest,
  entry: {
    action: string;
    objectType: string;
    objectId: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await deps.audit.append(
    { actor: auditActorOf(request), details: {}, ...entry },
    deps.clock.now(),
  );
}

/** Links to the previous and next pages of a list, keeping its other query parameters. */
export function pagerOf(
  base: string,
  params: Record<string, string>,
  page: number,
  hasMore: boolean,
): { previous: string | null; next: string | null; page: number; isShown: boolean } {
  const link = (target: number) => {
    const query = new URLSearchParams({
      ...params,
      ...(target > 1 ? { page: String(target) } : {}),
    });
    for (const [key, value] of [...query.entries()]) if (value === '') query.delete(key);
    const text = query.toString();
    return text === '' ? base : `${base}?${text}`;
  };
  return {
    page,
    previous: page > 1 ? link(page - 1) : null,
    next: hasMore ? link(page + 1) : null,
    isShown: page > 1 || hasMore,
  };
}
