import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { z } from 'zod';

import type { Newsletter } from '../content/index.ts';
import { type Clock, type Locale, LocaleSchema, type Logger } from '../lib/index.ts';
import type { Renderer } from '../render/index.ts';
import type { TokenSigner } from '../subscribers/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { SignInJobSchema, type SignInSender } from './sign-in-mail.ts';
import { composeTransactionalMail } from './transactional-message.ts';

/** Name of the BullMQ queue of one-recipient messages (double opt-in confirmations). */
export const TRANSACTIONAL_QUEUE = 'transactional';

/** How long a confirmation link stays valid. @defaultValue 7 days */
export const CONFIRMATION_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Payload of a confirmation job: ids only, never the address. */
export const ConfirmationJobSchema = z
  .object({
    kind: z.literal('confirm'),
    subscriberId: z.number().int().positive(),
    /** Language of the page the request came from, or the one chosen on the form. */
    locale: LocaleSchema,
  })
  .strict();
/** @see ConfirmationJobSchema */
export type ConfirmationJob = z.infer<typeof ConfirmationJobSchema>;

/**
 * Deterministic job id: requests for the same subscriber within the same minute add one job
 * (a double-clicked form sends one message).
 */
export function confirmationJobId(job: Pick<ConfirmationJob, 'subscriberId'>, now: Date): string {
  return `confirm-${job.subscriberId}-${Math.floor(now.getTime() / 60_000)}`;
}

/**
 * Enqueues confirmation messages; the web pages' `ConfirmationMailer`. Attempts, backoff and
 * retention are the queue's default job options, set from the configuration
 * (`SEND_ATTEMPTS`, `SEND_RETRY_DELAY_MS`) where the queue is opened (`openTransactionalQueue`).
 */
export function createConfirmationMailer(deps: { queue: Pick<Queue, 'add'>; clock: Clock }) {
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

/**
 * The BullMQ processor of the `transactional` queue: parse the payload, send it with the sender
 * of its kind (double opt-in confirmation, or the workspace's sign-in link).
 */
export function transactionalProcessor(
  sender: Pick<ConfirmationSender, 'send'>,
  signInSender?: Pick<SignInSender, 'send'>,
) {
  // A payload no retry can fix fails at once, naming the job, instead of using every attempt.
  const parse = <T>(schema: z.ZodType<T>, job: Job): T => {
    const result = schema.safeParse(job.data);
    if (!result.success) {
      const problem = result.error.issues[0];
      throw new UnrecoverableError(
        `Transactional job ${job.id ?? '?'} (${job.name}) is malformed: ${problem?.path.join('.') || 'payload'} ${problem?.message ?? ''}`.trim(),
      );
    }
    return result.data;
  };
  return (job: Job) => {
    const kind = (job.data as { kind?: unknown } | null)?.kind;
    if (kind === 'sign-in') {
      if (!signInSender) throw new UnrecoverableError('No sign-in sender in this worker');
      return signInSender.send(parse(SignInJobSchema, job));
    }
    return sender.send(parse(ConfirmationJobSchema, job));
  };
}
