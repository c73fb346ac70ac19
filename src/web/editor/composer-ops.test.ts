import { describe, expect, it } from 'vitest';

import { parseComposerForm } from './composer-form.ts';
import { addInboxPicks, applyComposerOp, parseComposerOp } from './composer-ops.ts';

const sectionIds = ['postes', 'appels', 'bourses', 'prix', 'evenements'];
const form = parseComposerForm({
  'sections[0].id': 'postes',
  'sections[0].items[0].title': 'A',
  'sections[0].items[1].title': 'B',
  'sections[1].id': 'evenements',
  'sections[1].items[0].title': 'C',
});
const titles = (f: typeof form) =>
  f.sections.map((s) => `${s.id}:${s.items.map((i) => i.title).join('')}`);

describe('composer ops', () => {
  it.each([
    [{ op: 'item-down:0:0' }, ['postes:BA', 'evenements:C']],
    [{ op: 'item-up:0:0' }, ['postes:AB', 'evenements:C']],
    [{ op: 'remove-item:0:1' }, ['postes:A', 'evenements:C']],
    [{ op: 'section-down:0' }, ['evenements:C', 'postes:AB']],
    [{ op: 'remove-section:1' }, ['postes:AB']],
    [{ op: 'move-item:0:1', _move_0_1: 'evenements' }, ['postes:A', 'evenements:CB']],
    [{ op: 'move-item:0:1:evenements:0' }, ['postes:A', 'evenements:BC']],
    [{ op: 'move-item:0:0', _move_0_0: 'bourses' }, ['postes:B', 'bourses:A', 'evenements:C']],
    [{ op: 'move-item:0:0', _move_0_0: 'nowhere' }, ['postes:AB', 'evenements:C']],
    [{ op: 'add-section', _new_section: 'appels' }, ['postes:AB', 'appels:', 'evenements:C']],
    [{ op: 'add-section', _new_section: 'unknown' }, ['postes:AB', 'evenements:C']],
    [{ op: 'remove-item:7:7' }, ['postes:AB', 'evenements:C']],
    [{ op: 'garbage:1' }, ['postes:AB', 'evenements:C']],
  ])('%o gives %o', (body, expected) => {
    expect(titles(applyComposerOp(form, parseComposerOp(body), sectionIds))).toEqual(expected);
  });

  it('adds an item of the chosen kind, news when the kind is unknown', () => {
    const job = applyComposerOp(
      form,
      parseComposerOp({ op: 'add-item:1', _kind_1: 'job' }),
      sectionIds,
    );
    expect(job.sections[1]?.items[1]?.kind).toBe('job');
    const other = applyComposerOp(
      form,
      parseComposerOp({ op: 'add-item:1', _kind_1: 'x' }),
      sectionIds,
    );
    expect(other.sections[1]?.items[1]?.kind).toBe('news');
    expect(form.sections[1]?.items).toHaveLength(1);
  });

  it('brings inbox picks into their section with their rewritten texts, once', () => {
    const picks = [
      {
        title: 'Bourse',
        summary: 'S',
        url: 'https://example.org/b',
        sectionId: 'bourses',
        deadline: '2027-01-01',
        sourceName: 'ANR',
      },
      {
        title: 'Bourse',
        summary: 'S',
        url: 'https://example.org/b',
        sectionId: 'bourses',
        deadline: null,
        sourceName: 'ANR',
      },
      {
        title: 'Actu',
        summary: 'T',
        url: 'https://example.org/a',
        sectionId: null,
        deadline: null,
        sourceName: 'CNRS',
        kind: 'event' as const,
      },
    ];
    const next = addInboxPicks(form, picks, sectionIds);
    expect(titles(next)).toEqual(['postes:ABActu', 'bourses:Bourse', 'evenements:C']);
    expect(next.sections[1]?.items[0]).toMatchObject({
      kind: 'call',
      deadline: '2027-01-01',
      institution: 'ANR',
    });
    expect(next.sections[0]?.items[2]?.kind).toBe('event');
  });

  it('reads the inbox op with its ticked ids only', () => {
    expect(parseComposerOp({ op: 'inbox-add', _inbox: ['3', 'x', '5'] })).toEqual({
      kind: 'inbox-add',
      candidateIds: [3, 5],
    });
    expect(parseComposerOp({ op: 'inbox-add' })).toEqual({ kind: 'refresh' });
  });
});
