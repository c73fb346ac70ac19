export { buildApp, webPlugin } from './app.ts';
export { CONSENT_VERSION } from './consent.ts';
export { createWebDeps, type WebServices } from './create-web-deps.ts';
export { LinkGoneError } from './error-handler.ts';
export { isPageLocale, negotiateLocale } from './negotiate-locale.ts';
export { createSubscriptionPort } from './subscription-port.ts';
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
