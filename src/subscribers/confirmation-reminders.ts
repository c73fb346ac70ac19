import type { Locale } from '../lib/index.ts';
import type { SubscriberServiceDeps } from './service-deps.ts';
import { NewsletterIdSchema } from './subscription.ts';

/** An address gets the opt-in mail from `send-confirmations` at most once in this time. */
export const CONFIRMATION_REMINDER_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;

/** A pending subscriber to send the opt-in mail to, in their language. */
export interface ConfirmationReminder {
  subscriberId: number;
  locale: Locale;
}

/**
 * Opt-in mail for subscriptions left `pending` by `add` or `import` without `--confirmed`:
 * `claimConfirmationReminders` takes the pending subscribers of a newsletter who were not sent
 * one in the last 7 days and marks them sent now, so a repeated or concurrent run never mails
 * an address twice in a week.
 */
export function createConfirmationReminders({ stores, clock }: SubscriberServiceDeps) {
  return {
    async claimConfirmationReminders(
      newsletterId: string,
      limit: number,
    ): Promise<ConfirmationReminder[]> {
      const id = NewsletterIdSchema.parse(newsletterId);
      const now = clock.now();
      const notSince = new Date(now.getTime() - CONFIRMATION_REMINDER_INTERVAL_MS);
      const due = await stores.confirmationReminders.claimDue(id, notSince, now, limit);
      return due.map((row) => ({
        subscriberId: row.subscriberId,
        // The column allows only these two (a CHECK constraint).
        locale: row.locale === 'en' ? 'en' : 'fr',
      }));
    },
  };
}
