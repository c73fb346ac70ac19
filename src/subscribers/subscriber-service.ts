import { createConfirmationReminders } from './confirmation-reminders.ts';
import { createDataRights } from './data-rights.ts';
import { createCsvImport } from './import-csv.ts';
import { createOperatorOperations } from './operator-operations.ts';
import { createPreferencesOperations } from './preferences-operations.ts';
import { createRetention } from './retention.ts';
import { type SubscriberServiceDeps, toSubscriber, toSubscription } from './service-deps.ts';
import type { SubscriberRecord, SuppressionListRow } from './stores.ts';
import { hashEmail, tryNormalizeEmail } from './subscriber.ts';
import type { SubscriptionStatus } from './subscription.ts';
import { createSubscriptionOperations, type SubscriberDetails } from './subscription-operations.ts';

/** Filter of `list` and `exportRows`. */
export interface SubscriberFilter {
  newsletterId?: string | undefined;
  status?: SubscriptionStatus | undefined;
}

/** Counts of `stats`. */
export interface SubscriberStats {
  subscribers: number;
  newsletters: Array<{
    newsletterId: string;
    pending: number;
    active: number;
    unsubscribed: number;
  }>;
  suppressions: Record<string, number>;
}

/**
 * The subscribers domain: subscription requests and their double opt-in, unsubscribes,
 * preferences, operator commands, CSV import, suppressions, and the data rights (export,
 * erasure). Every write that changes consent appends a consent event in the same transaction.
 *
 * Methods (see each for details):
 * - pages: `subscribe(input, meta)`, `confirm(subscriberId, newsletterId?, meta)`,
 *   `unsubscribe(subscriberId, newsletterId | 'all', meta)`,
 *   `updatePreferences(subscriberId, input, meta)`, `findById(id)`, `exportData(idOrEmail)`,
 *   `erase(idOrEmail, meta)`;
 * - delivery: `suppress(email, reason, detail, meta?)`, `isSuppressed(email)`;
 * - operators: `add(input, meta)`, `remove(email, newsletterId?, meta)`, `findByEmail(email)`,
 *   `list(filter, page)`, `exportRows(filter)`, `stats()`, `importCsv(stream, options)`,
 *   `search(text, page)`, `listSuppressionPage(page)`, `liftSuppressionByHash(emailHash, reason,
 *   meta)`, `liftSuppression(email, reason, meta)`, `listSuppressions(options)`;
 * - the daily job: `applyRetention(policy, options)`; `send-confirmations`:
 *   `claimConfirmationReminders(newsletterId, limit)`.
 */
export function createSubscriberService(deps: SubscriberServiceDeps) {
  const { stores } = deps;
  const pages = createSubscriptionOperations(deps);
  const operators = createOperatorOperations(deps);

  async function details(record: SubscriberRecord | null): Promise<SubscriberDetails | null> {
    if (!record) return null;
    const subscriptions = await stores.subscriptions.listForSubscriber(record.id);
    return { subscriber: toSubscriber(record), subscriptions: subscriptions.map(toSubscription) };
  }

  return {
    ...pages,
    ...operators,
    ...createPreferencesOperations(deps),
    ...createDataRights(deps),
    ...createCsvImport(deps),
    ...createRetention(deps),
    ...createConfirmationReminders(deps),

    /** A subscriber and their subscriptions, or null. */
    async findById(id: number): Promise<SubscriberDetails | null> {
      return details(await stores.subscribers.findById(id));
    },

    /** A subscriber by address (case-insensitive), or null (also for an invalid address). */
    async findByEmail(email: string): Promise<SubscriberDetails | null> {
      const normalized = tryNormalizeEmail(email);
      if (normalized === undefined) return null;
      return details(await stores.subscribers.findByEmailHash(hashEmail(normalized)));
    },

    /** Operator unsubscribe of an address from one newsletter or all. */
    async remove(
      email: string,
      newsletterId: string | undefined,
      meta: Parameters<typeof pages.unsubscribe>[2],
    ): Promise<{ unsubscribedNewsletterIds: string[] }> {
      const id = await operators.requireIdByEmail(email);
      return pages.unsubscribe(id, newsletterId ?? 'all', meta);
    },

    /** One page of subscribers with their subscriptions, after the cursor. */
    list(
      filter: SubscriberFilter,
      page: { limit: number; after?: { id: number; newsletterId: string } },
    ) {
      return stores.subscribers.listPage({ ...filter, ...page });
    },

    /**
     * Subscribers whose address or name contains `text` (case-insensitive), by id, with their
     * subscriptions: `limit` of them from `offset`, and whether more follow.
     */
    async search(
      text: string,
      page: { limit: number; offset: number },
    ): Promise<{ rows: SubscriberDetails[]; hasMore: boolean }> {
      const records = await stores.subscribers.search({
        text,
        limit: page.limit + 1,
        offset: page.offset,
      });
      const shown = records.slice(0, page.limit);
      const subscriptions = await stores.subscriptions.listForSubscribers(shown.map((r) => r.id));
      return {
        rows: shown.map((record) => ({
          subscriber: toSubscriber(record),
          subscriptions: subscriptions
            .filter((s) => s.subscriberId === record.id)
            .map(toSubscription),
        })),
        hasMore: records.length > page.limit,
      };
    },

    /**
     * Suppressions, newest first, with the address when a subscriber row still has it (the
     * table keeps only hashes): `limit` of them from `offset`, and whether more follow.
     */
    async listSuppressionPage(page: {
      limit: number;
      offset: number;
    }): Promise<{ rows: SuppressionListRow[]; hasMore: boolean }> {
      const rows = await stores.suppressions.listPage({
        limit: page.limit + 1,
        offset: page.offset,
      });
      return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    /** Every row of `list`, page by page: memory stays flat however large the list. */
    async *exportRows(filter: SubscriberFilter) {
      const repo = stores.subscribers;
      let after: { id: number; newsletterId: string } | undefined;
      for (;;) {
        const rows = await repo.listPage({ ...filter, after, limit: 1000 });
        yield* rows;
        const last = rows.at(-1);
        if (!last || rows.length < 1000) return;
        after = { id: last.id, newsletterId: last.newsletterId ?? '' };
      }
    },

    /** Subscriptions per newsletter and status, subscribers, suppressions per reason. */
    async stats(): Promise<SubscriberStats> {
      const counts = await stores.subscriptions.countByStatus();
      const byNewsletter = new Map<string, SubscriberStats['newsletters'][number]>();
      for (const { newsletterId, status, count } of counts) {
        const entry = byNewsletter.get(newsletterId) ?? {
          newsletterId,
          pending: 0,
          active: 0,
          unsubscribed: 0,
        };
        entry[status] = count;
        byNewsletter.set(newsletterId, entry);
      }
      return {
        subscribers: await stores.subscribers.count(),
        newsletters: [...byNewsletter.values()],
        suppressions: await stores.suppressions.countByReason(),
      };
    },
  };
}

/** The subscriber service. */
export type SubscriberService = ReturnType<typeof createSubscriberService>;
