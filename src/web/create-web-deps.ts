import type { Queue } from 'bullmq';

import { createArchiveRepository, type Database } from '../db/index.ts';
import { createConfirmationMailer } from '../mail/index.ts';
import type { SubscriberService, TokenSigner } from '../subscribers/index.ts';
import type { WebDeps, WebNewsletter } from './web-deps.ts';

/** What {@link createWebDeps} wires together. */
export type WebServices = Omit<
  WebDeps,
  'subscribers' | 'tokens' | 'confirmationMailer' | 'archive'
> & {
  db: Database;
  subscribers: SubscriberService;
  tokens: TokenSigner;
  /** The BullMQ queue `transactional` (`TRANSACTIONAL_QUEUE`) the confirmations go through. */
  transactionalQueue: Pick<Queue, 'add'>;
  newsletters: readonly WebNewsletter[];
};

/**
 * Builds the pages' dependencies from the process's services: the subscriber service, the
 * archive queries, and the confirmation mailer on the `transactional`
 * queue. Entry points (`web/server.ts`) and tests call it; modules never do.
 */
export function createWebDeps(services: WebServices): WebDeps {
  const { db, transactionalQueue, ...rest } = services;
  return {
    ...rest,
    confirmationMailer: createConfirmationMailer({
      queue: transactionalQueue,
      clock: services.clock,
    }),
    archive: createArchiveRepository(db),
  };
}
