import { z } from 'zod';

import { SubscriberNotFoundError } from './errors.ts';
import {
  consentEvent,
  type SubscriberServiceDeps,
  toSubscriber,
  toSubscription,
} from './service-deps.ts';
import { type Profile, type ProfilePatch, ProfilePatchSchema } from './subscriber.ts';
import { type ConsentMeta, ConsentMetaSchema, NewsletterIdSchema } from './subscription.ts';
import { operatorOnlyReasons, type SubscriberDetails } from './subscription-operations.ts';

/** Input of `updatePreferences`. */
export const PreferencesInputSchema = z.object({
  profile: ProfilePatchSchema.optional(),
  /** Newsletter id → subscribed or not. Subscribing here needs no confirmation: the link came by mail. */
  newsletters: z.record(NewsletterIdSchema, z.boolean()).optional(),
});
/** @see PreferencesInputSchema */
export type PreferencesInput = z.input<typeof PreferencesInputSchema>;

/** Applies a profile patch; returns the new profile and the names of the fields changed. */
export function applyProfilePatch(
  current: Profile,
  patch: ProfilePatch,
): { profile: Profile; changed: string[] } {
  const profile = { ...current };
  const changed: string[] = [];
  for (const key of Object.keys(patch) as Array<keyof Profile>) {
    const value = patch[key];
    if (value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify(current[key])) {
      (profile as Record<string, unknown>)[key] = value;
      changed.push(key);
    }
  }
  return { profile, changed };
}

/** The preferences page: profile, language and newsletters of a subscriber. */
export function createPreferencesOperations({ inTransaction, clock }: SubscriberServiceDeps) {
  return {
    /**
     * Changes the profile and the newsletters of a subscriber who came through a signed
     * preferences link. Subscribing here is a confirmed opt-in (the link came by mail), except
     * for an address suppressed by a bounce, complaint or operator, which stays as it is.
     */
    async updatePreferences(
      subscriberId: number,
      input: PreferencesInput,
      meta: ConsentMeta,
    ): Promise<SubscriberDetails> {
      const request = PreferencesInputSchema.parse(input);
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const now = clock.now();
      return inTransaction(async (repos) => {
        const record = await repos.subscribers.findById(subscriberId);
        if (!record) throw new SubscriberNotFoundError(subscriberId);
        let subscriber = toSubscriber(record);
        const events = [];
        const { profile, changed } = applyProfilePatch(subscriber, request.profile ?? {});
        if (changed.length > 0) {
          subscriber = toSubscriber(await repos.subscribers.update(subscriberId, profile, now));
          events.push(
            consentEvent(checkedMeta, now, {
              subscriberId,
              newsletterId: null,
              kind: 'preferences',
              details: { changed },
            }),
          );
        }
        const suppression = await repos.suppressions.find(record.emailHash);
        const isBlocked = suppression !== null && operatorOnlyReasons.includes(suppression.reason);
        const current = new Map(
          (await repos.subscriptions.listForSubscriber(subscriberId)).map((s) => [
            s.newsletterId,
            s.status,
          ]),
        );
        for (const [newsletterId, wanted] of Object.entries(request.newsletters ?? {})) {
          const status = current.get(newsletterId);
          if (wanted && status !== 'active' && !isBlocked) {
            await repos.subscriptions.setStatus(subscriberId, newsletterId, 'active', now);
            events.push(
              consentEvent(checkedMeta, now, {
                subscriberId,
                newsletterId,
                kind: 'preferences',
                details: { subscribed: true },
              }),
            );
          } else if (!wanted && (status === 'active' || status === 'pending')) {
            await repos.subscriptions.setStatus(subscriberId, newsletterId, 'unsubscribed', now);
            events.push(
              consentEvent(checkedMeta, now, { subscriberId, newsletterId, kind: 'unsubscribe' }),
            );
          }
        }
        await repos.consent.append(events);
        const subscriptions = await repos.subscriptions.listForSubscriber(subscriberId);
        return { subscriber, subscriptions: subscriptions.map(toSubscription) };
      });
    },
  };
}
