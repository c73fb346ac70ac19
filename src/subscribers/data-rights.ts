import { SubscriberNotFoundError } from './errors.ts';
import {
  consentEvent,
  type SubscriberServiceDeps,
  toSubscriber,
  toSubscription,
} from './service-deps.ts';
import type { ConsentEventRecord, SubscriberStores } from './stores.ts';
import { hashEmail, normalizeEmail, type Subscriber } from './subscriber.ts';
import { type ConsentMeta, ConsentMetaSchema, type Subscription } from './subscription.ts';

/** A subscriber by id (from a signed link) or by address (from an operator). */
export type SubscriberRef = number | string;

/** Everything held about an address (GDPR art. 15 and 20), as exported. */
export interface SubscriberDataExport {
  exportedAt: string;
  email: string | null;
  subscriber: Subscriber | null;
  subscriptions: Subscription[];
  consentEvents: ConsentEventRecord[];
  deliveries: Array<Record<string, unknown>>;
  suppression: { reason: string; detail: string | null; createdAt: Date } | null;
}

/** What an erasure did. */
export interface ErasureResult {
  /** Whether a subscriber row existed and was deleted. */
  wasSubscriber: boolean;
  subscriptionsDeleted: number;
  consentEventsDetached: number;
  deliveriesAnonymised: number;
}

/** The rights of access, portability and erasure. */
export function createDataRights({ stores, inTransaction, clock, logger }: SubscriberServiceDeps) {
  const log = logger.child({ component: 'subscribers' });

  async function resolve(ref: SubscriberRef, repos: SubscriberStores) {
    if (typeof ref === 'number') {
      const record = await repos.subscribers.findById(ref);
      return { record, emailHash: record?.emailHash ?? null, email: record?.email ?? null };
    }
    const email = normalizeEmail(ref);
    const emailHash = hashEmail(email);
    return { record: await repos.subscribers.findByEmailHash(emailHash), emailHash, email };
  }

  return {
    /**
     * All data held about a subscriber (art. 15 and 20): profile, subscriptions, consent
     * events, delivery rows and suppression. An unknown address gets an export that says so
     * (everything empty), which is a valid answer to an access request; an unknown id throws
     * {@link SubscriberNotFoundError}.
     */
    async exportData(ref: SubscriberRef): Promise<SubscriberDataExport> {
      const repos = stores;
      const { record, emailHash, email } = await resolve(ref, repos);
      if (!record && typeof ref === 'number') throw new SubscriberNotFoundError(ref);
      const suppression = emailHash ? await repos.suppressions.find(emailHash) : null;
      return {
        exportedAt: clock.now().toISOString(),
        email: record?.email ?? email,
        subscriber: record ? toSubscriber(record) : null,
        subscriptions: record
          ? (await repos.subscriptions.listForSubscriber(record.id)).map(toSubscription)
          : [],
        consentEvents: record ? await repos.consent.listForSubscriber(record.id) : [],
        deliveries: record ? await repos.subscribers.listDeliveries(record.id) : [],
        suppression: suppression
          ? {
              reason: suppression.reason,
              detail: suppression.detail,
              createdAt: suppression.createdAt,
            }
          : null,
      };
    },

    /**
     * Erasure (art. 17): deletes the subscriber and their subscriptions, anonymises their
     * delivery rows (the foreign key sets subscriber_id to null; SMTP replies are cleared),
     * detaches their consent events and clears the IP addresses, and keeps the sha256 of the
     * address in suppressions (`erased`) so that no import brings it back. An address that is
     * not a subscriber is still suppressed. An erasure by id of a subscriber already gone does
     * nothing.
     */
    async erase(ref: SubscriberRef, meta: ConsentMeta): Promise<ErasureResult> {
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const now = clock.now();
      const result = await inTransaction(async (repos) => {
        const { record, emailHash } = await resolve(ref, repos);
        const outcome: ErasureResult = {
          wasSubscriber: record !== null,
          subscriptionsDeleted: 0,
          consentEventsDetached: 0,
          deliveriesAnonymised: 0,
        };
        if (emailHash === null) return outcome;
        if (record) {
          outcome.subscriptionsDeleted = (
            await repos.subscriptions.listForSubscriber(record.id)
          ).length;
          outcome.deliveriesAnonymised = await repos.subscribers.anonymiseDeliveries(record.id);
          outcome.consentEventsDetached = await repos.consent.detach(record.id);
          await repos.subscribers.delete(record.id);
        }
        await repos.suppressions.upsert(emailHash, 'erased', null, now);
        // The erasure itself is recorded without anyone to point at, and without the IP.
        await repos.consent.append([
          {
            ...consentEvent(checkedMeta, now, {
              subscriberId: null,
              newsletterId: null,
              kind: 'erase',
            }),
            ip: null,
          },
        ]);
        return outcome;
      });
      log.info({ event: 'subscriber.erased', ...result }, 'subscriber erased');
      return result;
    },
  };
}
