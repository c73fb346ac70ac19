import type { Locale } from '../../lib/index.ts';

/**
 * The time zones a campaign can be scheduled in from the workspace: the office's (Paris, the
 * default) and those of its readers in the United States and Mexico. The page always names the
 * zone and its offset beside the time.
 */
export const scheduleTimeZones = [
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Mexico_City',
  'UTC',
] as const;

/** One of {@link scheduleTimeZones}. */
export type ScheduleTimeZone = (typeof scheduleTimeZones)[number];

/** `2026-12-05T08:00`, the value of an `<input type="datetime-local">`. */
export const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

const partFormats = new Map<string, Intl.DateTimeFormat>();

function parts(instant: Date, timeZone: string): Record<string, number> {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, format);
  }
  const out: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out;
}

/** Minutes `timeZone` is ahead of UTC at `instant` (Paris in winter: 60). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a wall-clock time `local` (`YYYY-MM-DDTHH:MM`) names in `timeZone`, or undefined
 * when it is not such a time or does not exist there (skipped by a change to summer time). A
 * time that happens twice (the hour repeated in autumn) is the first of the two.
 */
export function zonedTimeToInstant(local: string, timeZone: string): Date | undefined {
  const match = localDateTimePattern.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23) {
    return undefined;
  }
  // the offset a few hours either side: the two offsets of a day with a change of time
  const candidates = [
    ...new Set([
      zoneOffsetMinutes(new Date(wall - 12 * 3600_000), timeZone),
      zoneOffsetMinutes(new Date(wall + 12 * 3600_000), timeZone),
    ]),
  ]
    .map((offset) => new Date(wall - offset * 60_000))
    .filter((instant) => toZonedLocal(instant, timeZone) === local)
    .sort((a, b) => a.getTime() - b.getTime());
  return candidates[0];
}

/** `instant` as the wall-clock time of `timeZone`, `YYYY-MM-DDTHH:MM`. */
export function toZonedLocal(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** `UTC+01:00`, `UTC−05:00`, `UTC`. */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  const sign = offsetMinutes > 0 ? '+' : '−';
  const abs = Math.abs(offsetMinutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const longFormats: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * `instant` as people read it in `timeZone`, with the zone and its offset:
 * « 5 décembre 2026, 08:00 (Europe/Paris, UTC+01:00) ».
 */
export function formatZoned(instant: Date, timeZone: string, locale: Locale): string {
  const text = new Intl.DateTimeFormat(longFormats[locale], {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
  return `${text} (${timeZone}, ${formatOffset(zoneOffsetMinutes(instant, timeZone))})`;
}
