import { describe, expect, it } from 'vitest';

import {
  formatOffset,
  formatZoned,
  toZonedLocal,
  zonedTimeToInstant,
  zoneOffsetMinutes,
} from './zoned-time.ts';

describe('zonedTimeToInstant', () => {
  it.each([
    ['2026-12-05T08:00', 'Europe/Paris', '2026-12-05T07:00:00.000Z'],
    ['2026-07-05T08:00', 'Europe/Paris', '2026-07-05T06:00:00.000Z'],
    ['2026-12-05T08:00', 'America/New_York', '2026-12-05T13:00:00.000Z'],
    ['2026-12-05T08:00', 'America/Mexico_City', '2026-12-05T14:00:00.000Z'],
    ['2026-12-05T08:00', 'UTC', '2026-12-05T08:00:00.000Z'],
    // the hour repeated when Paris goes back to winter time: the first of the two
    ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, iso) => {
    expect(zonedTimeToInstant(local, zone)?.toISOString()).toBe(iso);
  });

  it.each([
    ['2026-03-29T02:30', 'Europe/Paris'], // skipped by the change to summer time
    ['2026-02-30T08:00', 'Europe/Paris'],
    ['2026-12-05T24:00', 'UTC'],
    ['2026-12-05 08:00', 'UTC'],
    ['tomorrow', 'UTC'],
    ['', 'UTC'],
  ])('refuses %s in %s', (local, zone) => {
    expect(zonedTimeToInstant(local, zone)).toBeUndefined();
  });

  it('reads back what it wrote', () => {
    const instant = new Date('2026-11-05T07:00:00Z');
    expect(toZonedLocal(instant, 'Europe/Paris')).toBe('2026-11-05T08:00');
    expect(zonedTimeToInstant('2026-11-05T08:00', 'Europe/Paris')).toEqual(instant);
  });
});

describe('formatZoned', () => {
  it('names the zone and its offset beside the time, in French and English', () => {
    const instant = new Date('2026-12-05T07:00:00Z');
    expect(formatZoned(instant, 'Europe/Paris', 'fr')).toBe(
      '5 décembre 2026 à 08:00 (Europe/Paris, UTC+01:00)',
    );
    expect(formatZoned(instant, 'America/New_York', 'en')).toBe(
      '5 December 2026 at 02:00 (America/New_York, UTC−05:00)',
    );
  });

  it.each([
    [0, 'UTC'],
    [60, 'UTC+01:00'],
    [-300, 'UTC−05:00'],
    [330, 'UTC+05:30'],
  ])('offset %s is %s', (minutes, text) => {
    expect(formatOffset(minutes)).toBe(text);
  });

  it('knows summer time', () => {
    expect(zoneOffsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Europe/Paris')).toBe(120);
  });
});
