export { buildApp, webPlugin } from './app.ts';
export { CONSENT_VERSION } from './consent.ts';
export { LinkGoneError } from './error-handler.ts';
export { isPageLocale, negotiateLocale } from './negotiate-locale.ts';
export type {
  ArchiveEntry,
  ArchiveSource,
  ConfirmationMailer,
  PageSubscriberService,
  SubscribeRateLimits,
  WebDeps,
  WebNewsletter,
} from './web-deps.ts';
