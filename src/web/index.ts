export { buildApp, webPlugin } from './app.ts';
export { CONSENT_VERSION } from './consent.ts';
export { createWebDeps, type WebServices } from './create-web-deps.ts';
export { LinkGoneError } from './error-handler.ts';
export { isPageLocale, negotiateLocale, type PageLocale } from './negotiate-locale.ts';
export { createSubscriptionPort } from './subscription-port.ts';
/** @deprecated Import them from `src/queue/`; kept until the branches written before the move are merged. */
export { openTransactionalQueue, startTransactionalWorker } from '../queue/index.ts';
export type {
  ArchiveEntry,
  ArchiveSource,
  ConfirmationMailer,
  RequestMeta,
  SubscribeRateLimits,
  SubscribeRequest,
  SubscriptionPort,
  WebDeps,
  WebNewsletter,
  WebProfile,
  WebSubscriber,
  WebSubscription,
} from './web-deps.ts';
