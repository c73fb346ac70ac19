import { type Job, UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

import type { Config } from '../config/index.ts';
import type { Logger } from '../lib/index.ts';
import {
  type ConfirmationSender,
  type ConfirmationSenderDeps,
  createConfirmationSender,
  createSignInSender,
  type SignInRecipientSource,
  type SignInSender,
} from '../mail/index.ts';
import { createRenderer } from '../render/index.ts';
import type { RedisClient } from './connection.ts';
import { ConfirmationJobSchema, QueueName, SignInJobSchema } from './contract.ts';
import { registerWorker, type RunningWorker } from './worker.ts';

/**
 * The processor of the `transactional` queue: parse the payload, send it with the sender of
 * its kind (double opt-in confirmation, or the workspace's sign-in link).
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

/**
 * Starts the worker of the `transactional` queue (double opt-in confirmations, sign-in links)
 * in this process. `close()` stops taking jobs and lets the message in flight finish.
 */
export async function startTransactionalWorker(options: {
  connection: RedisClient;
  prefix: string;
  sender: Pick<ConfirmationSender, 'send'>;
  /** Sends the workspace's sign-in links; without it those jobs fail. */
  signInSender?: Pick<SignInSender, 'send'> | undefined;
  logger: Logger;
}): Promise<RunningWorker> {
  const worker = registerWorker(
    QueueName.transactional,
    transactionalProcessor(options.sender, options.signInSender),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 2,
      logger: options.logger.child({ component: 'transactional-worker' }),
      failedEvent: 'transactional.job.failed',
      failedMessage: 'transactional message failed',
    },
  );
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}

/**
 * Starts the `transactional` worker with the confirmation sender of `depeche serve` and
 * `depeche worker`: templates from `TEMPLATES_DIR`, links under `PUBLIC_URL`. Given `editors`,
 * it also sends the workspace's sign-in links, from the first newsletter's sender.
 */
export function startConfirmationWorker(
  options: Omit<ConfirmationSenderDeps, 'renderer' | 'publicUrl'> & {
    config: Pick<Config, 'QUEUE_PREFIX' | 'TEMPLATES_DIR' | 'PUBLIC_URL'>;
    connection: RedisClient;
    editors?: SignInRecipientSource;
  },
): Promise<RunningWorker> {
  const { config, connection, editors, ...deps } = options;
  const renderer = createRenderer({ templatesDir: config.TEMPLATES_DIR });
  const from = deps.newsletters[0]?.sender;
  return startTransactionalWorker({
    connection,
    prefix: config.QUEUE_PREFIX,
    logger: deps.logger,
    sender: createConfirmationSender({ ...deps, renderer, publicUrl: config.PUBLIC_URL }),
    signInSender:
      editors && from
        ? createSignInSender({
            editors,
            renderer,
            transport: deps.transport,
            sender: { name: from.name, email: from.email },
            publicUrl: config.PUBLIC_URL,
            clock: deps.clock,
            logger: deps.logger,
          })
        : undefined,
  });
}
