import { z } from 'zod';

/** Identifier of a newsletter or section: lower-case letters, digits and single hyphens. */
export const SlugSchema = z
  .string()
  .trim()
  .max(50, 'must be at most 50 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error: (issue) =>
      `must be lower-case letters, digits and hyphens (like 'fil-de-marianne'), got ${quote(issue.input)}`,
  });

/**
 * A required, trimmed, non-empty string of at most `max` characters.
 * Every string read from a file is bounded (STYLE §4.2).
 */
export function boundedText(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
}

/** True for an absolute `http:` or `https:` URL with a host. */
export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value) || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True when the URL `value` names a user or a password (`https://user:pass@host/`). */
function hasCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** An absolute http(s) URL without credentials, at most 2,000 characters. */
export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine(isHttpUrl, {
    error: (issue) => `must be an http:// or https:// URL, got ${quote(issue.input)}`,
  })
  // never quoted back: the input holds a password
  .refine(
    (value) => !hasCredentials(value),
    'must not carry a user name or password (user:password@)',
  );

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

/** True when `value` is `YYYY-MM-DD` and names a real calendar day (2026-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** True for `YYYY-MM-DD` or an ISO 8601 date-time (`2026-11-20T14:00`, optional seconds and offset). */
export function isDateOrDateTime(value: string): boolean {
  if (isCalendarDate(value)) return true;
  const match = ISO_DATE_TIME.exec(value);
  return match !== null && isCalendarDate(match[1] ?? '');
}

/**
 * A calendar date written `YYYY-MM-DD`, kept as that string (no time zone to get wrong).
 * YAML's core schema reads an unquoted `2026-11-05` as this string.
 */
export const IsoDateSchema = z
  .string()
  .trim()
  .refine(isCalendarDate, {
    error: (issue) => `must be a real date written YYYY-MM-DD, got ${quote(issue.input)}`,
  });

/** A date (`YYYY-MM-DD`) or a date-time (`YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`), kept as written. */
export const IsoDateOrDateTimeSchema = z
  .string()
  .trim()
  .refine(isDateOrDateTime, {
    error: (issue) =>
      `must be a real date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM), got ${quote(issue.input)}`,
  });

/**
 * Compares two values of {@link IsoDateOrDateTimeSchema}: negative when `a` is earlier.
 * When either is a bare date, only the days are compared (a one-day event ends the day it starts).
 */
export function compareDateOrDateTime(a: string, b: string): number {
  if (a.length === 10 || b.length === 10) return a.slice(0, 10).localeCompare(b.slice(0, 10));
  return Date.parse(a) - Date.parse(b);
}

/** Quotes a value of any type for an error message. */
export function quote(value: unknown): string {
  if (typeof value === 'string')
    return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  return String(value);
}
