import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { type Issue, IssueSchema } from './issue.ts';
import { diffIssueSummary } from './issue-diff.ts';

let issue: Issue;
beforeAll(async () => {
  issue = IssueSchema.parse(parse(await readFile('issues/fil-de-marianne/2026-11.yaml', 'utf8')));
});
const copy = () => structuredClone(issue);
const ids = () => issue.sections.map((section) => section.id);

describe('diffIssueSummary', () => {
  it('is empty when nothing changed', () => {
    expect(diffIssueSummary(issue, copy())).toEqual([]);
  });

  it('names the header fields, the English ones marked (en)', () => {
    const next = copy();
    next.subject = 'Autre sujet';
    next.en = { ...next.en, introduction: 'Another introduction.' };
    delete next.en.preheader;
    expect(diffIssueSummary(issue, next)).toEqual([
      'subject',
      'preheader (en)',
      'introduction (en)',
    ]);
  });

  it('says which item was added, removed, edited, moved or reordered', () => {
    const [first, second] = ids();
    const next = copy();
    const moved = next.sections[0]!.items.shift()!;
    next.sections[1]!.items.push(moved);
    next.sections[1]!.items[0]!.title = 'Titre corrigé';
    next.sections[1]!.items[0]!.en = { title: 'Fixed title' };
    const removed = next.sections[1]!.items.splice(1, 1)[0]!;
    next.sections[0]!.items.reverse();
    next.sections[0]!.items.splice(1, 0, {
      kind: 'news',
      title: 'Nouvelle',
      summary: 'Résumé.',
      url: 'https://example.org/nouvelle',
    });
    expect(moved.title.length).toBeGreaterThan(40);
    expect(diffIssueSummary(issue, next)).toEqual([
      `section ${first}: item 2 added`,
      `section ${first}: items reordered`,
      `section ${second}: item 'Titre corrigé' edited (title, title (en), summary (en))`,
      `section ${first}: item '${moved.title.slice(0, 39).trimEnd()}…' moved to ${second}`,
      `section ${second}: item '${removed.title}' removed`,
    ]);
  });

  it('reports sections added, removed and reordered', () => {
    const next = copy();
    const [a, b, ...rest] = next.sections;
    next.sections = [b!, a!, ...rest.slice(1), { id: 'nouvelle', items: rest[0]!.items }];
    const changes = diffIssueSummary(issue, next);
    expect(changes).toContain('section nouvelle added');
    expect(changes).toContain(`section ${rest[0]!.id} removed`);
    expect(changes).toContain('sections reordered');
  });

  it('compares against loose data of a file that did not pass check', () => {
    expect(diffIssueSummary({ subject: 3 }, copy())).toContain('subject');
    expect(diffIssueSummary(undefined, copy())).toContain('newsletter');
  });
});
