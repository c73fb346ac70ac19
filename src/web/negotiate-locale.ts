import { type Locale, locales } from '../lib/index.ts';

/** True when `value` is one of the {@link locales}. */
export function isPageLocale(value: unknown): value is Locale {
  return locales.includes(value as Locale);
}

/** What the page language is chosen from, most specific first. */
export interface LocaleSources {
  /** `?lang=` of the URL or the `lang` field of a posted form. */
  requested?: unknown;
  /** The language of the subscriber a token names. */
  subscriber?: string | null | undefined;
  /** The `Accept-Language` request header. */
  acceptLanguage?: string | undefined;
}

/**
 * Chooses the page language: an explicit `?lang=`, then the subscriber's language, then the
 * best match of `Accept-Language` (by q-value, `fr-CA` matching `fr`), then French.
 */
export function negotiateLocale(sources: LocaleSources): Locale {
  if (isPageLocale(sources.requested)) return sources.requested;
  if (isPageLocale(sources.subscriber)) return sources.subscriber;
  return matchAcceptLanguage(sources.acceptLanguage ?? '') ?? 'fr';
}

/** The best of the {@link locales} in an `Accept-Language` header, or undefined. */
export function matchAcceptLanguage(header: string): Locale | undefined {
  const ranges = header
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', q, index };
    })
    .filter((range) => Number.isFinite(range.q) && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges.map((range) => range.language).find(isPageLocale);
}
