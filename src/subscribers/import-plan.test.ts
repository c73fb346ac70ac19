import { describe, expect, it } from 'vitest';

import type { ImportRow } from './csv-columns.ts';
import { planImportBatch } from './import-plan.ts';
import type { ImportExistingRow } from './stores.ts';

const row = (email: string, extra: Partial<ImportRow> = {}): ImportRow => ({
  line: 2,
  email,
  emailHash: `h-${email}`,
  attributes: {},
  ...extra,
});
const stored = (email: string, extra: Partial<ImportExistingRow> = {}): ImportExistingRow => ({
  id: 7,
  emailHash: `h-${email}`,
  name: 'Ana',
  locale: 'fr',
  country: null,
  researchField: null,
  careerStage: null,
  attributes: {},
  status: 'active',
  ...extra,
});
const outcomesOf = (plan: ReturnType<typeof planImportBatch>) =>
  plan.outcomes.map((o) => o.outcome);

describe('planImportBatch', () => {
  it('creates new addresses pending, or active when confirmed', () => {
    const plan = planImportBatch([row('a')], new Map(), new Map(), false);
    expect(outcomesOf(plan)).toEqual(['created']);
    expect(plan.inserts[0]?.values).toMatchObject({ email: 'a', locale: 'fr', name: null });
    expect(plan.subscriptions).toMatchObject([{ subscriberId: null, status: 'pending' }]);
    expect(planImportBatch([row('a')], new Map(), new Map(), true).subscriptions).toMatchObject([
      { status: 'active' },
    ]);
  });

  it('skips suppressed and unsubscribed addresses whole', () => {
    const plan = planImportBatch(
      [row('s'), row('u', { name: 'New' })],
      new Map([['h-u', stored('u', { status: 'unsubscribed' })]]),
      new Map([['h-s', { reason: 'erased' }]]),
      true,
    );
    expect(plan.outcomes).toMatchObject([
      { outcome: 'suppressed', reason: 'erased' },
      { outcome: 'suppressed', reason: 'unsubscribed' },
    ]);
    expect(plan.inserts).toEqual([]);
    expect(plan.updates).toEqual([]);
    expect(plan.subscriptions).toEqual([]);
  });

  it('leaves an identical row unchanged and writes nothing', () => {
    const plan = planImportBatch(
      [row('a', { name: 'Ana', attributes: { lab: 'X' } })],
      new Map([['h-a', stored('a', { attributes: { lab: 'X' } })]]),
      new Map(),
      false,
    );
    expect(outcomesOf(plan)).toEqual(['unchanged']);
    expect(plan.updates).toEqual([]);
  });

  it('updates a changed profile, keeping stored values for empty cells', () => {
    const plan = planImportBatch(
      [row('a', { country: 'US' })],
      new Map([['h-a', stored('a', { researchField: 'Chimie' })]]),
      new Map(),
      false,
    );
    expect(outcomesOf(plan)).toEqual(['updated']);
    expect(plan.updates[0]?.values).toMatchObject({
      name: 'Ana',
      country: 'US',
      researchField: 'Chimie',
    });
  });

  it('activates a pending subscription when confirmed, and subscribes a known address to a new newsletter', () => {
    const plan = planImportBatch(
      [row('p', { name: 'Ana' }), row('n', { name: 'Ana' })],
      new Map([
        ['h-p', stored('p', { status: 'pending' })],
        ['h-n', stored('n', { id: 8, status: null })],
      ]),
      new Map(),
      true,
    );
    expect(outcomesOf(plan)).toEqual(['updated', 'created']);
    expect(plan.subscriptions).toMatchObject([
      { subscriberId: 7, status: 'active' },
      { subscriberId: 8, status: 'active' },
    ]);
  });
});
