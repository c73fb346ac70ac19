import type { Clock, Locale, Logger } from '../lib/index.ts';
import {
  type JobQueuePort,
  type SignInJob,
  signInJobId,
  SignInJobSchema,
} from '../queue/contract.ts';
import type { Renderer } from '../render/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { composeTransactionalMail } from './transactional-message.ts';

/**
 * Enqueues sign-in links; the workspace's `SignInMailer`. Attempts, backoff and retention are
 * the `transactional` queue's default job options (queue/job-options.ts).
 */
export function createSignInMailer(deps: { queue: JobQueuePort<SignInJob>; clock: Clock }) {
  return {
    /** Adds one sign-in job; sent by the `transactional` worker, retried with backoff. */
    async enqueueSignIn(request: {
      editorId: number;
      token: string;
      locale: Locale;
    }): Promise<void> {
      const job = SignInJobSchema.parse({ kind: 'sign-in', ...request });
      await deps.queue.add('sign-in', job, { jobId: signInJobId(job, deps.clock.now()) });
    },
  };
}

/** What the sign-in sender reads of an account: the editor repository's `findById` fits. */
export interface SignInRecipientSource {
  findById(id: number): Promise<{ email: string; name: string; disabledAt: Date | null } | null>;
}

/** Dependencies of {@link createSignInSender}. */
export interface SignInSenderDeps {
  editors: SignInRecipientSource;
  renderer: Pick<Renderer, 'renderTransactional'>;
  transport: Pick<MailTransport, 'send'>;
  /** Who the sign-in mail comes from (the first newsletter's sender). */
  sender: { name: string; email: string };
  /** Base URL of the pages, e.g. `https://lettres.example.org`. */
  publicUrl: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Sends the one-time sign-in link of an editor (`/editor/sign-in/<token>`, whose GET only shows
 * a button). Nothing is sent to an account disabled or deleted since the request.
 */
export function createSignInSender(deps: SignInSenderDeps) {
  const log = deps.logger.child({ component: 'sign-in-mail' });
  const base = deps.publicUrl.replace(/\/+$/, '');
  return {
    async send(job: SignInJob): Promise<'sent' | 'skipped'> {
      const editor = await deps.editors.findById(job.editorId);
      if (!editor || editor.disabledAt) {
        log.info({ editorId: job.editorId }, 'sign-in mail skipped: no active account');
        return 'skipped';
      }
      const now = deps.clock.now();
      const message = await deps.renderer.renderTransactional('sign-in', job.locale, {
        signInUrl: `${base}/editor/sign-in/${job.token}`,
        senderName: deps.sender.name,
      });
      const { raw, messageId } = await composeTransactionalMail({
        kind: 'sign-in',
        id: job.editorId,
        from: deps.sender,
        to: editor,
        message,
        date: now,
      });
      await deps.transport.send({ from: deps.sender.email, to: editor.email, raw, messageId });
      log.info({ editorId: job.editorId, messageId }, 'sign-in link submitted');
      return 'sent';
    },
  };
}

/** The sign-in sender; see {@link createSignInSender}. */
export type SignInSender = ReturnType<typeof createSignInSender>;
