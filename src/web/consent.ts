/**
 * Version of the consent text and privacy notice shown on the subscribe page. Recorded with
 * every subscribe and confirm consent event; change it whenever the notice's wording changes.
 */
export const CONSENT_VERSION = 'privacy-2026-12';
