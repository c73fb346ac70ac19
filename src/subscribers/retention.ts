import { z } from 'zod';

import { createDataRights } from './data-rights.ts';
import { consentEvent, type SubscriberServiceDeps } from './service-deps.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows handled per query: the job walks the tables in bounded steps. */
const STEP = 500;

/** How long data is kept, as the privacy notice states it. */
export const RetentionPolicySchema = z.object({
  /** Days after which a subscription never confirmed is deleted (RETENTION_PENDING_DAYS). */
  pendingDays: z.number().int().positive(),
  /**
   * Days after their last unsubscribe after which people subscribed to nothing are erased,
   * only the address hash kept in suppressions (RETENTION_UNSUBSCRIBED_DAYS).
   */
  unsubscribedDays: z.number().int().positive(),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

/** What one retention run did (or, with `isDryRun`, would do). */
export interface RetentionResult {
  /** Pending subscriptions deleted because they were not confirmed in time. */
  pendingDeleted: number;
  /** Subscribers deleted because nothing was left of them but expired requests. */
  unconfirmedSubscribersDeleted: number;
  /** People unsubscribed from everything for longer than the period, erased. */
  unsubscribedErased: number;
  isDryRun: boolean;
}

/** Source recorded on the consent events of the retention job. */
const SOURCE = 'retention';

/**
 * The retention rules of the privacy notice, applied by a daily job (and `depeche subscribers
 * retention`):
 * - a subscription still pending `pendingDays` after it was requested (or its mail re-sent) is
 *   deleted; a subscriber left with no subscription at all is deleted too, their consent events
 *   detached (no suppression: they never confirmed, and may ask again);
 * - a subscriber unsubscribed from every newsletter for `unsubscribedDays` is erased as on their
 *   own request (see `erase`): the profile and subscriptions go, delivery rows are anonymised,
 *   and only the address hash stays, in suppressions (`erased`, which a new confirmed opt-in lifts).
 * Every deletion appends a consent event (kind `erase`, source `retention`) without an IP.
 */
export function createRetention(deps: SubscriberServiceDeps) {
  const { stores, inTransaction, clock, logger } = deps;
  const log = logger.child({ component: 'retention' });
  const rights = createDataRights(deps);

  return {
    async applyRetention(
      policy: RetentionPolicy,
      options: { isDryRun?: boolean } = {},
    ): Promise<RetentionResult> {
      const { pendingDays, unsubscribedDays } = RetentionPolicySchema.parse(policy);
      const isDryRun = options.isDryRun ?? false;
      const now = clock.now();
      const pendingBefore = new Date(now.getTime() - pendingDays * DAY_MS);
      const unsubscribedBefore = new Date(now.getTime() - unsubscribedDays * DAY_MS);
      const result: RetentionResult = {
        pendingDeleted: 0,
        unconfirmedSubscribersDeleted: 0,
        unsubscribedErased: 0,
        isDryRun,
      };
      const reader = stores.retention;

      if (isDryRun) {
        const pending = await reader.listExpiredPending(pendingBefore, Number.MAX_SAFE_INTEGER);
        result.pendingDeleted = pending.length;
        result.unsubscribedErased = (
          await reader.listLongUnsubscribed(unsubscribedBefore, Number.MAX_SAFE_INTEGER)
        ).length;
        return result;
      }

      for (;;) {
        const batch = await reader.listExpiredPending(pendingBefore, STEP);
        if (batch.length === 0) break;
        for (const entry of batch) {
          await inTransaction(async (repos) => {
            const { retention } = repos;
            // Confirmed or re-requested meanwhile: it is not expired any more.
            if (!(await retention.deleteExpiredPending(entry, pendingBefore))) return;
            result.pendingDeleted += 1;
            const isLeftEmpty = await retention.hasNoSubscription(entry.subscriberId);
            if (isLeftEmpty) {
              await repos.consent.detach(entry.subscriberId);
              await repos.subscribers.delete(entry.subscriberId);
              result.unconfirmedSubscribersDeleted += 1;
            }
            await repos.consent.append([
              consentEvent({ source: SOURCE }, now, {
                subscriberId: isLeftEmpty ? null : entry.subscriberId,
                newsletterId: entry.newsletterId,
                kind: 'erase',
                details: { reason: 'unconfirmed', days: pendingDays },
              }),
            ]);
          });
        }
      }

      for (;;) {
        const ids = await reader.listLongUnsubscribed(unsubscribedBefore, STEP);
        if (ids.length === 0) break;
        for (const id of ids) {
          await rights.erase(id, { source: SOURCE });
          result.unsubscribedErased += 1;
        }
      }

      log.info({ event: 'subscribers.retention', ...result }, 'retention applied');
      return result;
    },
  };
}
