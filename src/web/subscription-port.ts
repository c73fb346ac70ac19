import {
  type ConsentMeta,
  type SubscriberDetails,
  SubscriberNotFoundError,
  type SubscriberService,
} from '../subscribers/index.ts';
import { LinkGoneError } from './error-handler.ts';
import { isPageLocale } from './negotiate-locale.ts';
import type { RequestMeta, SubscriptionPort, WebSubscriber } from './web-deps.ts';

function consentMeta(meta: RequestMeta): ConsentMeta {
  return {
    source: meta.source,
    ...(meta.consentVersion === undefined ? {} : { consentVersion: meta.consentVersion }),
    ...(meta.ip === null ? {} : { ip: meta.ip }),
  };
}

function toWebSubscriber(details: SubscriberDetails): WebSubscriber {
  const { subscriber, subscriptions } = details;
  return {
    id: subscriber.id,
    email: subscriber.email,
    name: subscriber.name,
    country: subscriber.country,
    researchField: subscriber.researchField,
    careerStage: subscriber.careerStage,
    locale: isPageLocale(subscriber.locale) ? subscriber.locale : 'fr',
    subscriptions: subscriptions.map((s) => ({ newsletterId: s.newsletterId, status: s.status })),
  };
}

/** A subscriber that vanished between the token check and the write is a gone link (410). */
async function orGone<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SubscriberNotFoundError) throw new LinkGoneError();
    throw error;
  }
}

/**
 * Adapts the subscriber service to what the pages need ({@link SubscriptionPort}).
 * `newsletterIds` are the newsletters the preferences form shows: a box left unticked there
 * unsubscribes, a ticked one subscribes.
 */
export function createSubscriptionPort(deps: {
  service: Pick<
    SubscriberService,
    | 'subscribe'
    | 'confirm'
    | 'findById'
    | 'updatePreferences'
    | 'unsubscribe'
    | 'exportData'
    | 'erase'
  >;
  newsletterIds: readonly string[];
}): SubscriptionPort {
  const { service } = deps;
  return {
    async subscribe(request, meta) {
      const result = await service.subscribe(
        {
          email: request.email,
          newsletterIds: request.newsletterIds,
          profile: {
            name: request.name,
            locale: request.locale,
            country: request.country,
            researchField: request.researchField,
            careerStage: request.careerStage,
          },
        },
        consentMeta(meta),
      );
      return {
        subscriberId: result.subscriber?.id ?? null,
        pendingNewsletterIds: result.pendingNewsletterIds,
      };
    },
    async confirm(subscriberId, meta) {
      const result = await orGone(() =>
        service.confirm(subscriberId, undefined, consentMeta(meta)),
      );
      return result.confirmedNewsletterIds;
    },
    async findById(subscriberId) {
      const details = await service.findById(subscriberId);
      return details ? toWebSubscriber(details) : null;
    },
    async updatePreferences(subscriberId, preferences, meta) {
      const wanted = new Set(preferences.newsletterIds);
      await orGone(() =>
        service.updatePreferences(
          subscriberId,
          {
            profile: {
              name: preferences.name,
              locale: preferences.locale,
              country: preferences.country,
              researchField: preferences.researchField,
              careerStage: preferences.careerStage,
            },
            newsletters: Object.fromEntries(deps.newsletterIds.map((id) => [id, wanted.has(id)])),
          },
          consentMeta(meta),
        ),
      );
    },
    async unsubscribe(subscriberId, newsletterId, meta) {
      await service.unsubscribe(subscriberId, newsletterId, consentMeta(meta));
    },
    exportData: (subscriberId) => orGone(() => service.exportData(subscriberId)),
    async erase(subscriberId, meta) {
      await orGone(() => service.erase(subscriberId, consentMeta(meta)));
    },
  };
}
