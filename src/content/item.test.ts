import { describe, expect, it } from 'vitest';

import { isOpportunity, itemDeadline, ItemSchema } from './item.ts';

const base = { title: 'Titre', summary: 'Résumé', url: 'https://www.example.org/a' };

function issuePaths(value: unknown): string[] {
  const result = ItemSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('ItemSchema', () => {
  it.each(['job', 'call', 'fellowship', 'prize'] as const)(
    'requires institution, location and deadline for %s',
    (kind) => {
      expect(issuePaths({ kind, ...base })).toEqual(['institution', 'location', 'deadline']);
      expect(
        issuePaths({
          kind,
          ...base,
          institution: 'CNRS',
          location: 'Paris',
          deadline: '2026-12-01',
        }),
      ).toEqual([]);
    },
  );

  it('requires start and place for an event, and end not before start', () => {
    expect(issuePaths({ kind: 'event', ...base })).toEqual(['start', 'place']);
    expect(
      issuePaths({ kind: 'event', ...base, start: '2026-11-20', end: '2026-11-19', place: 'Lyon' }),
    ).toEqual(['end']);
    expect(
      issuePaths({
        kind: 'event',
        ...base,
        start: '2026-11-20T09:00',
        end: '2026-11-20',
        place: 'Lyon',
      }),
    ).toEqual([]);
  });

  it('accepts news and publications with only the common fields', () => {
    expect(issuePaths({ kind: 'news', ...base })).toEqual([]);
    expect(
      issuePaths({
        kind: 'publication',
        ...base,
        authors: 'A. Auteur',
        publisher: 'NCSES',
        date: '2026-10-01',
      }),
    ).toEqual([]);
  });

  it('rejects fields another kind owns, unknown kinds and blank titles', () => {
    expect(issuePaths({ kind: 'news', ...base, deadline: '2026-12-01' })).toEqual(['']);
    expect(issuePaths({ kind: 'interview', ...base })).toEqual(['kind']);
    expect(issuePaths({ kind: 'news', ...base, title: '   ' })).toEqual(['title']);
  });

  it('bounds text lengths', () => {
    expect(issuePaths({ kind: 'news', ...base, title: 'x'.repeat(301) })).toEqual(['title']);
  });

  it('keeps English versions and trims text', () => {
    const item = ItemSchema.parse({
      kind: 'news',
      ...base,
      title: '  Titre ',
      en: { title: 'Title' },
    });
    expect(item.title).toBe('Titre');
    expect(item.en).toEqual({ title: 'Title' });
  });
});

describe('itemDeadline', () => {
  it('gives the deadline of opportunities and events, nothing for news', () => {
    const job = ItemSchema.parse({
      kind: 'job',
      ...base,
      institution: 'I',
      location: 'L',
      deadline: '2026-12-01',
    });
    const event = ItemSchema.parse({
      kind: 'event',
      ...base,
      start: '2026-12-05',
      place: 'P',
      deadline: '2026-12-02',
    });
    const news = ItemSchema.parse({ kind: 'news', ...base });
    expect([itemDeadline(job), itemDeadline(event), itemDeadline(news)]).toEqual([
      '2026-12-01',
      '2026-12-02',
      undefined,
    ]);
    expect(isOpportunity(job)).toBe(true);
    expect(isOpportunity(event)).toBe(false);
  });
});
