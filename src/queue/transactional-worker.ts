import { Queue, Worker } from 'bullmq';

import type { Config } from '../config/index.ts';
import type { Logger } from '../lib/index.ts';
import {
  type ConfirmationSender,
  type ConfirmationSenderDeps,
  createConfirmationSender,
  createSignInSender,
  type SignInRecipientSource,
  type SignInSender,
  TRANSACTIONAL_QUEUE,
  transactionalProcessor,
} from '../mail/index.ts';
import { createRenderer } from '../render/index.ts';
import type { RedisClient } from './connection.ts';

/** Opens the `transactional` queue the pages put confirmation messages on. */
export function openTransactionalQueue(
  connection: RedisClient,
  config: Pick<Config, 'QUEUE_PREFIX' | 'SEND_ATTEMPTS' | 'SEND_RETRY_DELAY_MS'>,
): Queue {
  return new Queue(TRANSACTIONAL_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: config.SEND_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.SEND_RETRY_DELAY_MS },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    },
  });
}

/**
 * Starts the worker of the `transactional` queue (double opt-in confirmations) in this process.
 * `close()` stops taking jobs and lets the message in flight finish.
 */
export async function startTransactionalWorker(options: {
  connection: RedisClient;
  prefix: string;
  sender: Pick<ConfirmationSender, 'send'>;
  /** Sends the workspace's sign-in links; without it those jobs fail. */
  signInSender?: Pick<SignInSender, 'send'> | undefined;
  logger: Logger;
}): Promise<{ close(): Promise<void> }> {
  const log = options.logger.child({ component: 'transactional-worker' });
  const worker = new Worker(
    TRANSACTIONAL_QUEUE,
    transactionalProcessor(options.sender, options.signInSender),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 2,
    },
  );
  worker.on('failed', (job, error) =>
    log.error(
      { event: 'transactional.job.failed', jobId: job?.id, err: error },
      'confirmation message failed',
    ),
  );
  worker.on('error', (error) => log.error({ err: error }, 'transactional worker error'));
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
): Promise<{ close(): Promise<void> }> {
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
