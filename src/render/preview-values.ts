import type { Locale } from '../lib/index.ts';
import { greetingFor } from './personalize.ts';
import type { PersonalizationValues } from './placeholders.ts';

/**
 * Stand-in placeholder values for copies nobody receives (`depeche render`, `depeche preview`):
 * the greeting of an unnamed reader and links to `baseUrl` marked with an anchor, so the copy
 * reads like a real one without a subscriber or a signed token.
 */
export function previewValues(locale: Locale, baseUrl: string): PersonalizationValues {
  const root = baseUrl.replace(/\/+$/, '');
  return {
    greeting: greetingFor(null, locale),
    unsubscribeUrl: `${root}/#unsubscribe`,
    preferencesUrl: `${root}/#preferences`,
    viewOnlineUrl: `${root}/#view-online`,
  };
}
