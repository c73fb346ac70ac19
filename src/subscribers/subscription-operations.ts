import { z } from 'zod';

import { SubscriberNotFoundError } from './errors.ts';
import {
  consentEvent,
  type SubscriberServiceDeps,
  toSubscriber,
  toSubscription,
} from './service-deps.ts';
import { hashEmail, normalizeEmail, ProfilePatchSchema, type Subscriber } from './subscriber.ts';
import {
  type ConsentMeta,
  ConsentMetaSchema,
  NewsletterIdSchema,
  type Subscription,
} from './subscription.ts';

/** Reasons that only an operator lifts (`--force`); `erased` yields to a new confirmed opt-in. */
export const operatorOnlyReasons: readonly string[] = ['hard_bounce', 'complaint', 'manual'];

/** Input of a subscription request from the public page. */
export const SubscribeInputSchema = z.object({
  email: z.string().trim().max(254),
  newsletterIds: z.array(NewsletterIdSchema).min(1).max(20),
  profile: ProfilePatchSchema.optional(),
});
/** @see SubscribeInputSchema */
export type SubscribeInput = z.input<typeof SubscribeInputSchema>;

/** What a subscription request did; the page answers the same whatever it is. */
export interface SubscribeResult {
  /** `suppressed`: nothing done (hard bounce, complaint, manual); send no mail. */
  status: 'confirmation_needed' | 'already_active' | 'suppressed';
  subscriber: Subscriber | null;
  /** Newsletters now awaiting the double opt-in: send one confirmation for these. */
  pendingNewsletterIds: string[];
}

/** A subscriber with their subscriptions. */
export interface SubscriberDetails {
  subscriber: Subscriber;
  subscriptions: Subscription[];
}

/** Subscribe, confirm and unsubscribe: what the subscriber does on the pages. */
export function createSubscriptionOperations({
  stores,
  inTransaction,
  clock,
  logger,
}: SubscriberServiceDeps) {
  const log = logger.child({ component: 'subscribers' });
  // Outside any transaction, the same store every time: its unsubscribe statement is prepared once.
  const { subscriptions } = stores;

  return {
    /**
     * A subscription request (double opt-in): creates the subscriber if new (an existing
     * profile is left alone — anyone may type any address), and makes each requested
     * subscription `pending` unless already active. An unsubscribed one becomes pending too:
     * it is lifted only when the subscriber confirms. Nothing happens for an address
     * suppressed by a hard bounce, a complaint or an operator.
     */
    async subscribe(input: SubscribeInput, meta: ConsentMeta): Promise<SubscribeResult> {
      const request = SubscribeInputSchema.parse(input);
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const email = normalizeEmail(request.email);
      const emailHash = hashEmail(email);
      const now = clock.now();
      return inTransaction(async (repos) => {
        const suppression = await repos.suppressions.find(emailHash);
        if (suppression && operatorOnlyReasons.includes(suppression.reason)) {
          log.info(
            { event: 'subscribe.suppressed', reason: suppression.reason },
            'subscription refused',
          );
          return { status: 'suppressed', subscriber: null, pendingNewsletterIds: [] };
        }
        const profile = request.profile ?? {};
        const record =
          (await repos.subscribers.findByEmailHash(emailHash)) ??
          (await repos.subscribers.insert(
            email,
            emailHash,
            {
              name: profile.name ?? null,
              locale: profile.locale ?? 'fr',
              country: profile.country ?? null,
              researchField: profile.researchField ?? null,
              careerStage: profile.careerStage ?? null,
              attributes: profile.attributes ?? {},
            },
            now,
          )) ??
          (await repos.subscribers.findByEmailHash(emailHash));
        if (!record) throw new Error('subscriber insert raced and vanished');
        const current = new Map(
          (await repos.subscriptions.listForSubscriber(record.id)).map((s) => [s.newsletterId, s]),
        );
        const pending: string[] = [];
        for (const newsletterId of new Set(request.newsletterIds)) {
          const status = current.get(newsletterId)?.status;
          if (status === 'active') continue;
          pending.push(newsletterId);
          if (status === 'pending') continue;
          await repos.subscriptions.setStatus(record.id, newsletterId, 'pending', now);
          await repos.consent.append([
            consentEvent(checkedMeta, now, {
              subscriberId: record.id,
              newsletterId,
              kind: 'subscribe',
            }),
          ]);
        }
        log.info({ subscriberId: record.id, pending: pending.length }, 'subscription requested');
        return {
          status: pending.length > 0 ? 'confirmation_needed' : 'already_active',
          subscriber: toSubscriber(record),
          pendingNewsletterIds: pending,
        };
      });
    },

    /**
     * The double opt-in: makes the pending subscriptions active (one newsletter, or all
     * pending when `newsletterId` is omitted) and records the consent text version. A new
     * confirmed opt-in lifts an `erased` suppression, never a bounce or complaint. Repeating
     * it changes nothing. Throws {@link SubscriberNotFoundError} if the subscriber is gone.
     */
    async confirm(
      subscriberId: number,
      newsletterId: string | undefined,
      meta: ConsentMeta,
    ): Promise<SubscriberDetails & { confirmedNewsletterIds: string[] }> {
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const now = clock.now();
      return inTransaction(async (repos) => {
        const record = await repos.subscribers.findById(subscriberId);
        if (!record) throw new SubscriberNotFoundError(subscriberId);
        const suppression = await repos.suppressions.find(record.emailHash);
        const confirmed: string[] = [];
        if (!suppression || !operatorOnlyReasons.includes(suppression.reason)) {
          if (suppression) await repos.suppressions.remove(record.emailHash);
          for (const sub of await repos.subscriptions.listForSubscriber(subscriberId)) {
            if (sub.status !== 'pending') continue;
            if (newsletterId !== undefined && sub.newsletterId !== newsletterId) continue;
            await repos.subscriptions.setStatus(subscriberId, sub.newsletterId, 'active', now);
            confirmed.push(sub.newsletterId);
          }
          await repos.consent.append(
            confirmed.map((id) =>
              consentEvent(checkedMeta, now, { subscriberId, newsletterId: id, kind: 'confirm' }),
            ),
          );
        }
        log.info({ subscriberId, confirmed: confirmed.length }, 'subscription confirmed');
        const subscriptions = await repos.subscriptions.listForSubscriber(subscriberId);
        return {
          subscriber: toSubscriber(record),
          subscriptions: subscriptions.map(toSubscription),
          confirmedNewsletterIds: confirmed,
        };
      });
    },

    /**
     * Unsubscribes from one newsletter or `'all'`, with one consent event per subscription
     * changed, in one SQL statement: the path of the RFC 8058 one-click POST, which mail
     * providers send in bursts, and of every other unsubscribe. Idempotent, and quiet about a
     * subscriber that no longer exists (a one-click POST is answered 200 however often it
     * comes). Returns the newsletters it unsubscribed now.
     */
    async unsubscribe(
      subscriberId: number,
      newsletterId: string | 'all',
      meta: ConsentMeta,
    ): Promise<{ unsubscribedNewsletterIds: string[] }> {
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const done = await subscriptions.unsubscribe(subscriberId, newsletterId, {
        source: checkedMeta.source,
        consentVersion: checkedMeta.consentVersion ?? null,
        ip: checkedMeta.ip ?? null,
        now: clock.now(),
      });
      if (done.length > 0) log.info({ subscriberId, newsletters: done }, 'unsubscribed');
      return { unsubscribedNewsletterIds: done };
    },
  };
}
