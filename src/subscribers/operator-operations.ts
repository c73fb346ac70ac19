import { z } from 'zod';

import { SubscriberNotFoundError, SubscriberSuppressedError } from './errors.ts';
import { applyProfilePatch } from './preferences-operations.ts';
import {
  consentEvent,
  type SubscriberServiceDeps,
  toSubscriber,
  toSubscription,
} from './service-deps.ts';
import type { NewConsentEvent, SuppressionRecord } from './stores.ts';
import { hashEmail, normalizeEmail, ProfilePatchSchema } from './subscriber.ts';
import {
  type ConsentMeta,
  ConsentMetaSchema,
  NewsletterIdSchema,
  type SuppressionReason,
} from './subscription.ts';
import type { SubscriberDetails } from './subscription-operations.ts';

/** Input of `add` (`depeche subscribers add`). */
export const AddInputSchema = z.object({
  email: z.string().trim().max(254),
  newsletterId: NewsletterIdSchema,
  profile: ProfilePatchSchema.optional(),
  /** The office holds the subscriber's consent: active at once instead of pending. */
  isConfirmed: z.boolean().default(false),
  /** Lifts a suppression (hard bounce, complaint, erased, manual). Never lifts an unsubscribe. */
  isForced: z.boolean().default(false),
});
/** @see AddInputSchema */
export type AddInput = z.input<typeof AddInputSchema>;

/** Why an operator lifts a suppression: required, kept in the consent event. */
export const LiftNoteSchema = z
  .string({ error: 'expected the reason for lifting the suppression' })
  .trim()
  .min(1, 'the reason for lifting the suppression is required')
  .max(500, 'the reason for lifting the suppression is at most 500 characters');

/** What `add` did. */
export interface AddResult extends SubscriberDetails {
  outcome: 'created' | 'updated' | 'unchanged';
  /** The suppression lifted by `isForced`, if any. */
  liftedSuppression: SuppressionReason | null;
}

const eventKindOf: Record<SuppressionReason, NewConsentEvent['kind']> = {
  hard_bounce: 'bounce',
  soft_bounce: 'bounce',
  complaint: 'complaint',
  erased: 'erase',
  manual: 'manual',
};

/** What operators and the delivery workers do: add, remove, suppress. */
export function createOperatorOperations({
  stores,
  inTransaction,
  clock,
  logger,
}: SubscriberServiceDeps) {
  const log = logger.child({ component: 'subscribers' });

  /**
   * Lifts the suppression of the address whose hash is `emailHash` (an operator, with the
   * reason why): the address may be subscribed again. The subscriber (if a row still has that
   * hash) gets a `manual` consent event saying which suppression was lifted and why.
   * Subscriptions keep their status. Returns the suppression lifted, or null when there was
   * none. The workspace lifts by hash (its list shows suppressions whose address may be gone).
   */
  async function liftSuppressionByHash(
    emailHash: string,
    reason: string,
    meta: ConsentMeta,
  ): Promise<SuppressionRecord | null> {
    const checkedMeta = ConsentMetaSchema.parse(meta);
    const why = LiftNoteSchema.parse(reason);
    const now = clock.now();
    return inTransaction(async (repos) => {
      const lifted = await repos.suppressions.remove(emailHash);
      if (!lifted) return null;
      const record = await repos.subscribers.findByEmailHash(emailHash);
      if (record) {
        await repos.consent.append([
          consentEvent(checkedMeta, now, {
            subscriberId: record.id,
            newsletterId: null,
            kind: 'manual',
            details: { liftedSuppression: lifted.reason, reason: why },
          }),
        ]);
      }
      log.info(
        {
          subscriberId: record?.id,
          reason: lifted.reason,
          event: 'subscriber.suppression_lifted',
        },
        'suppression lifted',
      );
      return lifted;
    });
  }

  return {
    /**
     * Adds an address to a newsletter (operator). Refuses a suppressed address unless
     * `isForced`, and always refuses to resubscribe an address that unsubscribed
     * ({@link SubscriberSuppressedError}). Updates the profile fields given.
     */
    async add(input: AddInput, meta: ConsentMeta): Promise<AddResult> {
      const request = AddInputSchema.parse(input);
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const email = normalizeEmail(request.email);
      const emailHash = hashEmail(email);
      const now = clock.now();
      return inTransaction(async (repos) => {
        const events: NewConsentEvent[] = [];
        const suppression = await repos.suppressions.find(emailHash);
        if (suppression && !request.isForced) {
          throw new SubscriberSuppressedError(
            `'${email}' is suppressed (${suppression.reason}${suppression.detail ? `: ${suppression.detail}` : ''}); ` +
              'add --force to lift the suppression',
            suppression.reason,
          );
        }
        if (suppression) await repos.suppressions.remove(emailHash);
        let outcome: AddResult['outcome'] = 'unchanged';
        let record = await repos.subscribers.findByEmailHash(emailHash);
        const patch = request.profile ?? {};
        if (!record) {
          const { profile } = applyProfilePatch(
            {
              name: null,
              locale: 'fr',
              country: null,
              researchField: null,
              careerStage: null,
              attributes: {},
            },
            patch,
          );
          record = await repos.subscribers.insert(email, emailHash, profile, now);
          if (!record) throw new Error('subscriber insert raced');
          outcome = 'created';
        } else {
          const { profile, changed } = applyProfilePatch(toSubscriber(record), patch);
          if (changed.length > 0) {
            record = await repos.subscribers.update(record.id, profile, now);
            outcome = 'updated';
          }
        }
        const subscriberId = record.id;
        if (suppression) {
          events.push(
            consentEvent(checkedMeta, now, {
              subscriberId,
              newsletterId: null,
              kind: 'manual',
              details: { liftedSuppression: suppression.reason },
            }),
          );
        }
        const current = (await repos.subscriptions.listForSubscriber(subscriberId)).find(
          (s) => s.newsletterId === request.newsletterId,
        );
        if (current?.status === 'unsubscribed') {
          throw new SubscriberSuppressedError(
            `'${email}' unsubscribed from '${request.newsletterId}' on ${current.unsubscribedAt?.toISOString().slice(0, 10) ?? '?'}; ` +
              'only their own confirmed opt-in (the subscription page) can subscribe them again',
            'unsubscribed',
          );
        }
        if (!current || (current.status === 'pending' && request.isConfirmed)) {
          const status = request.isConfirmed ? 'active' : 'pending';
          await repos.subscriptions.setStatus(subscriberId, request.newsletterId, status, now);
          events.push(
            consentEvent(checkedMeta, now, {
              subscriberId,
              newsletterId: request.newsletterId,
              kind: current ? 'confirm' : 'subscribe',
              details: { status, byOperator: true },
            }),
          );
          if (outcome === 'unchanged') outcome = current ? 'updated' : 'created';
        }
        await repos.consent.append(events);
        log.info({ subscriberId, outcome, forced: suppression !== null }, 'subscriber added');
        const subscriptions = await repos.subscriptions.listForSubscriber(subscriberId);
        return {
          outcome,
          liftedSuppression: suppression?.reason ?? null,
          subscriber: toSubscriber(record),
          subscriptions: subscriptions.map(toSubscription),
        };
      });
    },

    /** Finds the subscriber id of an address, throwing {@link SubscriberNotFoundError}. */
    async requireIdByEmail(rawEmail: string): Promise<number> {
      const email = normalizeEmail(rawEmail);
      const record = await stores.subscribers.findByEmailHash(hashEmail(email));
      if (!record) throw new SubscriberNotFoundError(email);
      return record.id;
    },

    /**
     * Suppresses an address: the delivery workers call it on a hard bounce (with the SMTP
     * reply as `detail`) or a complaint. A stronger reason replaces a weaker one; the
     * subscriber (if any) gets a consent event. Subscriptions keep their status: the audience
     * excludes suppressed addresses.
     */
    async suppress(
      rawEmail: string,
      reason: Exclude<SuppressionReason, 'erased'>,
      detail: string | null,
      meta: ConsentMeta = { source: 'delivery' },
    ): Promise<SuppressionRecord> {
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const email = normalizeEmail(rawEmail);
      const emailHash = hashEmail(email);
      const now = clock.now();
      const trimmedDetail = detail === null ? null : detail.slice(0, 500);
      return inTransaction(async (repos) => {
        const suppression = await repos.suppressions.upsert(emailHash, reason, trimmedDetail, now);
        const record = await repos.subscribers.findByEmailHash(emailHash);
        if (record) {
          await repos.consent.append([
            consentEvent(checkedMeta, now, {
              subscriberId: record.id,
              newsletterId: null,
              kind: eventKindOf[reason],
              details: trimmedDetail === null ? {} : { detail: trimmedDetail },
            }),
          ]);
        }
        log.info(
          { subscriberId: record?.id, reason, event: 'subscriber.suppressed' },
          'address suppressed',
        );
        return suppression;
      });
    },

    /**
     * Suppresses many addresses as `suppress` does each (a stronger reason replaces a weaker one,
     * a consent event for each item whose address is a subscriber's), in one statement: the
     * bounce processing calls it in the transaction that records the bounces.
     */
    async suppressMany(
      items: ReadonlyArray<{
        email: string;
        reason: Exclude<SuppressionReason, 'erased'>;
        detail: string | null;
      }>,
      meta: ConsentMeta = { source: 'delivery' },
    ): Promise<void> {
      if (items.length === 0) return;
      const checkedMeta = ConsentMetaSchema.parse(meta);
      const now = clock.now();
      const rows = items.map((item) => {
        const detail = item.detail === null ? null : item.detail.slice(0, 500);
        return {
          emailHash: hashEmail(normalizeEmail(item.email)),
          reason: item.reason,
          detail,
          consentKind: eventKindOf[item.reason],
          consentDetails: detail === null ? {} : { detail },
        };
      });
      const logged = await stores.suppressions.upsertMany(
        rows,
        {
          source: checkedMeta.source,
          consentVersion: checkedMeta.consentVersion ?? null,
          ip: checkedMeta.ip ?? null,
        },
        now,
      );
      log.info(
        { addresses: rows.length, consentEvents: logged, event: 'subscriber.suppressed' },
        'addresses suppressed',
      );
    },

    /**
     * Lifts the suppression of the address whose hash is `emailHash`: see liftSuppressionByHash.
     */
    liftSuppressionByHash,

    /**
     * Lifts the suppression of an address (`depeche suppressions lift`), with a consent event
     * naming the reason given. Returns the suppression lifted, or null if none. Subscriptions
     * keep their status: an unsubscribed person stays unsubscribed.
     */
    async liftSuppression(
      rawEmail: string,
      reason: string,
      meta: ConsentMeta,
    ): Promise<SuppressionRecord | null> {
      return liftSuppressionByHash(hashEmail(normalizeEmail(rawEmail)), reason, meta);
    },

    /** Suppressions, newest first, with addresses where a subscriber still has them. */
    async listSuppressions(options: { reason?: SuppressionReason | undefined; limit: number }) {
      return stores.suppressions.list(options);
    },

    /** True when the address must not receive mail (any suppression reason). */
    async isSuppressed(rawEmail: string): Promise<boolean> {
      const email = normalizeEmail(rawEmail);
      return (await stores.suppressions.find(hashEmail(email))) !== null;
    },
  };
}
