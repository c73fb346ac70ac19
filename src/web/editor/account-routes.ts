import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  type AuditActor,
  type Editor,
  EditorExistsError,
  EditorNotFoundError,
  RoleSchema,
} from '../../editors/index.ts';
import { LocaleSchema, ValidationError } from '../../lib/index.ts';
import type { EditorContext } from './editor-context.ts';
import { editorT, renderEditorPage } from './editor-views.ts';
import { requireAction } from './require-action.ts';
import { EDITOR_PREFIX, editorOf, type SignedInEditor } from './session.ts';

const IdParamsSchema = z.object({ id: z.coerce.number().int().positive() });
const RoleFormSchema = z.object({ role: RoleSchema });
const InviteFormSchema = z.object({
  email: z.string().max(254),
  name: z.string().max(200).optional(),
  role: z.string().max(20),
});
const LocaleFormSchema = z.object({ locale: LocaleSchema });

/** Notices shown after a change (`?done=`). */
const notices = new Set(['invited', 'role', 'disabled', 'locale']);

/** The audit actor of a signed-in editor. */
export function editorActor(editor: SignedInEditor): AuditActor {
  return { kind: 'editor', editorId: editor.id, name: editor.email };
}

function noticeOf(request: FastifyRequest): string | undefined {
  const done = (request.query as Record<string, unknown>).done;
  return typeof done === 'string' && notices.has(done)
    ? editorT(request)(`editor.accounts.done.${done}`)
    : undefined;
}

/**
 * The accounts page (`/editor/accounts`, admins only): the list, inviting someone (creates the
 * account and mails a sign-in link), changing a role and disabling an account. Every change is
 * audited with the admin as actor; role changes and disabling end the account's sessions. An
 * admin cannot disable or demote their own account (the last admin would lock everyone out).
 * `/editor/account` is every editor's own page: the workspace language.
 */
export function registerAccountRoutes(app: FastifyInstance, ctx: EditorContext): void {
  const { deps } = ctx;
  const manage = { preHandler: requireAction('editors.manage') };
  const print = deps.printLine ?? ((line: string) => process.stderr.write(`${line}\n`));

  async function listPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; values?: Record<string, string> } = {},
  ): Promise<FastifyReply> {
    const me = editorOf(request);
    const accounts = (await deps.accounts.list()).map((account: Editor) => ({
      ...account,
      isSelf: account.id === me.id,
      isDisabled: account.disabledAt !== null,
      roles: RoleSchema.options.map((role) => ({ role, isSelected: role === account.role })),
    }));
    return renderEditorPage(reply, request, 'editor-accounts', {
      accounts,
      roles: RoleSchema.options,
      error: extra.error,
      values: extra.values ?? { role: 'editor' },
      notice: noticeOf(request),
    });
  }

  async function target(request: FastifyRequest): Promise<Editor> {
    const { id } = IdParamsSchema.parse(request.params);
    const account = await deps.editors.findById(id);
    if (!account) throw new EditorNotFoundError(`#${id}`);
    return account;
  }

  app.get('/accounts', manage, (request, reply) => listPage(request, reply));

  app.post('/accounts', manage, async (request, reply) => {
    const me = editorOf(request);
    const t = editorT(request);
    const form = InviteFormSchema.safeParse(request.body ?? {});
    const values = form.success
      ? { email: form.data.email, name: form.data.name ?? '', role: form.data.role }
      : { role: 'editor' };
    try {
      if (!form.success) throw new ValidationError('Invalid invitation form');
      const created = await deps.accounts.add(editorActor(me), {
        email: form.data.email,
        role: form.data.role,
        name: form.data.name,
      });
      const issued = await deps.sessions.requestSignIn(created.email);
      if (issued) {
        await deps.signInMailer.enqueueSignIn({
          editorId: created.id,
          token: issued.token,
          locale: me.locale,
        });
        if (deps.isPrintingSignInLinks) {
          print(
            `Sign-in link for ${created.email} (valid 15 minutes): ${ctx.publicUrl}${EDITOR_PREFIX}/sign-in/${issued.token}`,
          );
        }
      }
      return reply.redirect(`${EDITOR_PREFIX}/accounts?done=invited`, 303);
    } catch (error) {
      if (error instanceof EditorExistsError) {
        reply.code(409);
        return listPage(request, reply, { error: t('editor.accounts.exists'), values });
      }
      if (error instanceof ValidationError) {
        reply.code(400);
        return listPage(request, reply, { error: t('editor.accounts.invalid'), values });
      }
      throw error;
    }
  });

  app.post('/accounts/:id/role', manage, async (request, reply) => {
    const me = editorOf(request);
    const account = await target(request);
    const form = RoleFormSchema.safeParse(request.body ?? {});
    if (!form.success) throw new ValidationError('role: expected one of editor, publisher, admin');
    if (account.id === me.id) {
      reply.code(400);
      return listPage(request, reply, { error: editorT(request)('editor.accounts.not_self') });
    }
    await deps.accounts.changeRole(editorActor(me), account.email, form.data.role);
    return reply.redirect(`${EDITOR_PREFIX}/accounts?done=role`, 303);
  });

  app.post('/accounts/:id/disable', manage, async (request, reply) => {
    const me = editorOf(request);
    const account = await target(request);
    if (account.id === me.id) {
      reply.code(400);
      return listPage(request, reply, { error: editorT(request)('editor.accounts.not_self') });
    }
    await deps.accounts.disable(editorActor(me), account.email);
    return reply.redirect(`${EDITOR_PREFIX}/accounts?done=disabled`, 303);
  });

  app.get('/account', (request, reply) => {
    const me = editorOf(request);
    return renderEditorPage(reply, request, 'editor-account', {
      locales: LocaleSchema.options.map((locale) => ({
        locale,
        isSelected: locale === me.locale,
      })),
      notice: noticeOf(request),
    });
  });

  app.post('/account/locale', async (request, reply) => {
    const me = editorOf(request);
    const form = LocaleFormSchema.safeParse(request.body ?? {});
    if (!form.success) throw new ValidationError('locale: expected fr or en');
    if (form.data.locale !== me.locale) {
      await deps.editors.setLocale(me.id, form.data.locale);
      await deps.audit.append(
        {
          actor: editorActor(me),
          action: 'editor.locale',
          objectType: 'editor',
          objectId: String(me.id),
          details: { from: me.locale, to: form.data.locale },
        },
        deps.clock.now(),
      );
    }
    return reply.redirect(`${EDITOR_PREFIX}/account?done=locale`, 303);
  });
}
