import {
  createConfirmationReminderRepository,
  createConsentRepository,
  createRetentionRepository,
  createSubscriberImportRepository,
  createSubscriberRepository,
  createSubscriptionRepository,
  createSuppressionRepository,
  type Database,
  type Executor,
  isUniqueViolation,
} from '../db/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import {
  createSubscriberService,
  type InTransaction,
  type SubscriberService,
  type SubscriberServiceDeps,
  type SubscriberStores,
} from '../subscribers/index.ts';

/** The stores of the subscribers domain, bound to the database or to one transaction. */
export function createSubscriberStores(db: Executor): SubscriberStores {
  return {
    subscribers: createSubscriberRepository(db),
    subscriptions: createSubscriptionRepository(db),
    consent: createConsentRepository(db),
    suppressions: createSuppressionRepository(db),
    retention: createRetentionRepository(db),
    confirmationReminders: createConfirmationReminderRepository(db),
    imports: { ...createSubscriberImportRepository(db), isConflict: isUniqueViolation },
  };
}

/** What the subscriber service needs of the database: its stores, and transactions with them. */
export function subscriberServiceDeps(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
}): SubscriberServiceDeps {
  const { db } = deps;
  const inTransaction: InTransaction = (work) =>
    db.transaction((tx) => work(createSubscriberStores(tx)));
  return {
    stores: createSubscriberStores(db),
    inTransaction,
    clock: deps.clock,
    logger: deps.logger,
  };
}

/** The subscriber service over the database. */
export function buildSubscriberService(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
}): SubscriberService {
  return createSubscriberService(subscriberServiceDeps(deps));
}
