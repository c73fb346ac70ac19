import type { Clock, Logger } from '../lib/index.ts';
import type {
  InTransaction,
  NewConsentEvent,
  SubscriberRecord,
  SubscriberStores,
  SubscriptionRecord,
} from './stores.ts';
import { type Subscriber, SubscriberSchema } from './subscriber.ts';
import type { ConsentMeta } from './subscription.ts';
import type { Subscription } from './subscription.ts';

/** Dependencies of the subscriber service. */
export interface SubscriberServiceDeps {
  /** The stores, bound to the database (outside any transaction). */
  stores: SubscriberStores;
  /** Runs work in one transaction, with the stores bound to that transaction. */
  inTransaction: InTransaction;
  clock: Clock;
  logger: Logger;
}

/** A stored row as the domain type (the database constraints guarantee the enums). */
export function toSubscriber(record: SubscriberRecord): Subscriber {
  return SubscriberSchema.parse({
    id: record.id,
    email: record.email,
    name: record.name,
    locale: record.locale,
    country: record.country,
    researchField: record.researchField,
    careerStage: record.careerStage,
    attributes: record.attributes,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });
}

/** @see toSubscriber */
export function toSubscription(record: SubscriptionRecord): Subscription {
  return { ...record };
}

/** A consent event from the meta of a request. */
export function consentEvent(
  meta: ConsentMeta,
  now: Date,
  fields: Pick<NewConsentEvent, 'subscriberId' | 'newsletterId' | 'kind'> &
    Partial<Pick<NewConsentEvent, 'details'>>,
): NewConsentEvent {
  return {
    ...fields,
    source: meta.source,
    consentVersion: meta.consentVersion ?? null,
    ip: meta.ip ?? null,
    details: fields.details ?? {},
    occurredAt: now,
  };
}
