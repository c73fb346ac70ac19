import type { Newsletter } from '../content/index.ts';
import type { Clock, Locale, Logger } from '../lib/index.ts';
import {
  type ConfirmationJob,
  confirmationJobId,
  ConfirmationJobSchema,
  type JobQueuePort,
} from '../queue/contract.ts';
import type { Renderer } from '../render/index.ts';
import type { TokenSigner } from '../subscribers/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { composeTransactionalMail } from './transactional-message.ts';

/** How long a confirmation link stays valid. @defaultValue 7 days */
export const CONFIRMATION_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Enqueues confirmation messages; the web pages' `ConfirmationMailer`. Attempts, backoff and
 * retention are the `transactional` queue's default job options (queue/job-options.ts).
 */
export function createConfirmationMailer(deps: {
  queue: JobQueuePort<ConfirmationJob>;
  clock: Clock;
}) {
  return {
    /** Adds one confirmation job; sent by the `transactional` worker, retried with backoff. */
    async enqueueConfirmation(request: { subscriberId: number; locale: Locale }): Promise<void> {
      const job = ConfirmationJobSchema.parse({ kind: 'confirm', ...request });
      await deps.queue.add('confirm', job, {
        jobId: confirmationJobId(job, deps.clock.now()),
      });
    },
  };
}

/** What the confirmation sender reads of a subscriber: the subscriber repository's `findById` fits. */
export interface ConfirmationRecipientSource {
  findById(id: number): Promise<{
    subscriber: { email: string; name: string | null };
    subscriptions: ReadonlyArray<{ newsletterId: string; status: string }>;
  } | null>;
}

/** Dependencies of {@link createConfirmationSender}. */
export interface ConfirmationSenderDeps {
  subscribers: ConfirmationRecipientSource;
  tokens: Pick<TokenSigner, 'sign'>;
  renderer: Pick<Renderer, 'renderTransactional'>;
  transport: Pick<MailTransport, 'send'>;
  newsletters: readonly Pick<Newsletter, 'id' | 'title' | 'sender' | 'reply_to'>[];
  /** Base URL of the pages, e.g. `https://lettres.example.org`. */
  publicUrl: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Sends the double opt-in message of one subscriber: a confirmation link (`/c/{token}`, token
 * of purpose `confirm`, valid {@link CONFIRMATION_LINK_TTL_MS}) naming the newsletters still
 * pending, from the sender of the first of them. Nothing is sent when nothing is pending any
 * more (confirmed meanwhile, erased).
 */
export function createConfirmationSender(deps: ConfirmationSenderDeps) {
  const log = deps.logger.child({ component: 'transactional-mail' });
  const base = deps.publicUrl.replace(/\/+$/, '');
  return {
    async send(job: ConfirmationJob): Promise<'sent' | 'skipped'> {
      const details = await deps.subscribers.findById(job.subscriberId);
      const pending = new Set(
        (details?.subscriptions ?? [])
          .filter((s) => s.status === 'pending')
          .map((s) => s.newsletterId),
      );
      const newsletters = deps.newsletters.filter((newsletter) => pending.has(newsletter.id));
      const first = newsletters[0];
      if (!details || !first) {
        log.info({ subscriberId: job.subscriberId }, 'confirmation skipped: nothing pending');
        return 'skipped';
      }
      const now = deps.clock.now();
      const token = deps.tokens.sign(
        { purpose: 'confirm', subscriberId: job.subscriberId },
        { expiresAt: new Date(now.getTime() + CONFIRMATION_LINK_TTL_MS) },
      );
      const titles = new Intl.ListFormat(job.locale, { type: 'conjunction' }).format(
        newsletters.map((newsletter) => newsletter.title),
      );
      const message = await deps.renderer.renderTransactional('confirm', job.locale, {
        newsletter: titles,
        confirmUrl: `${base}/c/${token}?lang=${job.locale}`,
        senderName: first.sender.name,
      });
      const { raw, messageId } = await composeTransactionalMail({
        kind: 'confirm',
        id: job.subscriberId,
        from: first.sender,
        replyTo: first.reply_to,
        to: details.subscriber,
        message,
        date: now,
      });
      await deps.transport.send({
        from: first.sender.email,
        to: details.subscriber.email,
        raw,
        messageId,
      });
      log.info({ subscriberId: job.subscriberId, messageId }, 'confirmation submitted');
      return 'sent';
    },
  };
}

/** The confirmation sender; see {@link createConfirmationSender}. */
export type ConfirmationSender = ReturnType<typeof createConfirmationSender>;
