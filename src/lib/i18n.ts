import { z } from 'zod';

import en from '../../locales/en.json' with { type: 'json' };
import fr from '../../locales/fr.json' with { type: 'json' };

/**
 * The languages Dépêche writes in, French first, English where a subscriber asked for it: of the
 * catalogues, the emails, the pages, the subscribers' and editors' profiles. The one spelling of
 * a language in the code.
 */
export const LocaleSchema = z.enum(['fr', 'en']);
/** `'fr' | 'en'`; see {@link LocaleSchema}. */
export type Locale = z.infer<typeof LocaleSchema>;

/** The languages, French first. */
export const locales: readonly Locale[] = LocaleSchema.options;

/**
 * The message catalogues, one flat JSON file per language under `locales/` with dotted keys and
 * `_.code`/`_.name` meta keys, shared by the emails and the web pages (listmonk's `i18n/*.json`).
 * French is the reference catalogue: a key missing in another language falls back to French.
 */
const catalogs: Record<Locale, Readonly<Record<string, string>>> = { fr, en };

/** Values interpolated into a message: `{name}` in the message is replaced by `vars.name`. */
export type TranslationVars = Readonly<Record<string, string | number>>;

/** Looks up a message by key and fills its `{placeholders}`. */
export type Translate = (key: string, vars?: TranslationVars) => string;

/**
 * Builds the translator of one language.
 *
 * A key missing from the language falls back to French, then to the key itself (so a missing
 * string shows up in review rather than as an empty line). Unknown `{names}` are left as written.
 */
export function createTranslator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  const reference = catalogs.fr;
  return (key, vars) => {
    const message = catalog[key] ?? reference[key] ?? key;
    if (vars === undefined) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = vars[name];
      return value === undefined ? whole : String(value);
    });
  };
}

/** True when the catalogue of `locale` (or the French fallback) has a message for `key`. */
export function hasTranslation(locale: Locale, key: string): boolean {
  return catalogs[locale][key] !== undefined || catalogs.fr[key] !== undefined;
}

/** A calendar date: a `Date` (read in UTC) or an ISO string `YYYY-MM-DD[THH:MM…]`. */
export type DateInput = Date | string;

const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-FR', dateOptions()),
  en: new Intl.DateTimeFormat('en-GB', dateOptions()),
};

function dateOptions(): Intl.DateTimeFormatOptions {
  return { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' };
}

/**
 * Reads a calendar date. A string keeps the day as written (`2026-11-20T18:00-05:00` is the 20th,
 * the day at the event's place), never shifted by a time zone.
 */
export function toCalendarDate(date: DateInput): Date {
  if (date instanceof Date) return date;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (match === null) return new Date(Number.NaN);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/**
 * Formats a date as people write it: « 12 novembre 2026 » (with « 1er » for the first of a month)
 * in French, "12 November 2026" in English.
 */
export function formatDate(date: DateInput, locale: Locale): string {
  const value = toCalendarDate(date);
  const text = dateFormats[locale].format(value);
  return locale === 'fr' && value.getUTCDate() === 1 ? text.replace(/^1 /, '1er ') : text;
}

/**
 * Formats a span of days compactly: « 20–21 novembre 2026 », "20–21 November 2026"; a single
 * date when `end` is missing or the same day.
 */
export function formatDateRange(
  start: DateInput,
  end: DateInput | undefined,
  locale: Locale,
): string {
  if (end === undefined) return formatDate(start, locale);
  const from = toCalendarDate(start);
  const to = toCalendarDate(end);
  if (from.getTime() === to.getTime()) return formatDate(from, locale);
  // Intl puts thin spaces around the dash, and spaces between two days of one month in English.
  return dateFormats[locale]
    .formatRange(from, to)
    .replace(/^(\d+)\s+–\s+/, '$1–')
    .replace(/\s+–\s+/, ' – ');
}

const timePattern = /T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Reads the clock time and offset of an ISO date-time, as written; undefined for a bare date. */
function clockOf(value: DateInput): { hours: number; minutes: number; zone?: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = timePattern.exec(value);
  if (match === null) return undefined;
  const clock = { hours: Number(match[1]), minutes: Number(match[2]) };
  return match[3] === undefined ? clock : { ...clock, zone: match[3] };
}

function formatClock(clock: { hours: number; minutes: number }, locale: Locale): string {
  const minutes = String(clock.minutes).padStart(2, '0');
  // French writes « 17 h » / « 17 h 30 »; English readers abroad get the 24-hour « 17:30 ».
  if (locale === 'fr')
    return clock.minutes === 0 ? `${clock.hours}\u00a0h` : `${clock.hours}\u00a0h\u00a0${minutes}`;
  return `${String(clock.hours).padStart(2, '0')}:${minutes}`;
}

function formatZone(zone: string | undefined): string {
  if (zone === undefined) return '';
  if (zone === 'Z') return ' (UTC)';
  const [hours, minutes] = zone.slice(1).split(':');
  const sign = zone.startsWith('-') ? '\u2212' : '+';
  return ` (UTC${sign}${Number(hours)}${minutes === '00' ? '' : `:${minutes}`})`;
}

/**
 * When an event takes place, from its `start` and optional `end` (dates or ISO date-times, read
 * as written, with their offset): « 18 novembre 2026, 17 h – 18 h 30 (UTC+1) »,
 * "3 December 2026, 18:00–21:00 (UTC−5)", « 26–27 novembre 2026 ».
 */
export function formatWhen(start: DateInput, end: DateInput | undefined, locale: Locale): string {
  const from = clockOf(start);
  const to = end === undefined ? undefined : clockOf(end);
  if (from === undefined) return formatDateRange(start, end, locale);
  const day = formatDate(start, locale);
  const zone = formatZone(from.zone);
  if (end === undefined) return `${day}, ${formatClock(from, locale)}${zone}`;
  const sameDay = toCalendarDate(start).getTime() === toCalendarDate(end).getTime();
  if (sameDay && to !== undefined) {
    const dash = locale === 'fr' ? ' – ' : '–';
    return `${day}, ${formatClock(from, locale)}${dash}${formatClock(to, locale)}${zone}`;
  }
  const until = formatDate(end, locale) + (to === undefined ? '' : `, ${formatClock(to, locale)}`);
  return `${day}, ${formatClock(from, locale)} – ${until}${zone}`;
}
