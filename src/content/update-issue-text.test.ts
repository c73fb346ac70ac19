import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { type Issue, IssueSchema } from './issue.ts';
import type { Item } from './item.ts';
import { updateIssueText } from './update-issue-text.ts';

const original = `# Le fil de Marianne, décembre: relu par Claire
newsletter: fil-de-marianne
number: 22 # suit le 21
date: 2026-12-03
subject: 'Le fil n° 22'
preheader: "Trois postes et un colloque"
introduction: |
  Premier paragraphe, avec **du gras**.

  Second paragraphe.
sections:
  # les postes d'abord
  - id: postes
    items:
      # vérifié le 1er décembre
      - kind: job
        title: 'Poste A'
        summary: 'Résumé A.'
        url: https://example.org/a
        institution: 'CNRS'
        location: 'Paris'
        deadline: 2027-01-10 # date ferme
      # à confirmer avec l'institut
      - kind: job
        title: 'Poste B'
        summary: |
          Résumé B,
          sur deux lignes.
        url: https://example.org/b
        institution: 'Inria'
        location: 'Lille'
        deadline: 2027-01-20

      - kind: job
        title: 'Poste C'
        summary: 'Résumé C.'
        url: https://example.org/c
        institution: 'Inserm'
        location: 'Lyon'
        deadline: 2027-02-01
        en:
          title: 'Position C'
  - id: agenda
    items:
      - kind: event # le seul événement
        title: 'Colloque'
        summary: 'Un colloque.'
        url: https://example.org/colloque
        start: 2027-01-15
        place: 'Marseille'
# fin du fichier
`;

type JobItem = Extract<Item, { kind: 'job' }>;

const issueOf = (text: string): Issue => IssueSchema.parse(parse(text));
const items = (issue: Issue, section: number) => issue.sections[section]!.items;

describe('updateIssueText', () => {
  it('returns the original text byte for byte when nothing changed', () => {
    expect(updateIssueText(original, issueOf(original))).toBe(original);
  });

  it('returns the shipped sample issues unchanged on a no-op update', async () => {
    for (const file of ['issues/adn/2026-11.yaml', 'issues/fil-de-marianne/2026-11.yaml']) {
      const text = await readFile(file, 'utf8');
      expect(updateIssueText(text, issueOf(text))).toBe(text);
    }
  });

  it('changes only the edited line, keeping comments, quotes and key order', () => {
    const next = issueOf(original);
    next.subject = 'Le fil n° 22 — décembre';
    items(next, 0)[0]!.title = 'Poste A, révisé';
    const text = updateIssueText(original, next);
    const expected = original
      .replace("subject: 'Le fil n° 22'", "subject: 'Le fil n° 22 — décembre'")
      .replace("title: 'Poste A'", "title: 'Poste A, révisé'");
    expect(text).toBe(expected);
  });

  it('keeps the key order of the file even when the new value lists keys in another order', () => {
    const { sections, subject, ...rest } = issueOf(original);
    const reordered = { sections, ...rest, subject: `${subject}!` } as Issue;
    const text = updateIssueText(original, reordered);
    expect(text).toBe(original.replace("subject: 'Le fil n° 22'", "subject: 'Le fil n° 22!'"));
  });

  it('keeps each item with its comments when items are reordered', () => {
    const next = issueOf(original);
    next.sections[0]!.items = [items(next, 0)[2]!, items(next, 0)[1]!, items(next, 0)[0]!];
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    const b = text.indexOf(
      "# à confirmer avec l'institut\n      - kind: job\n        title: 'Poste B'",
    );
    const a = text.indexOf(
      "# vérifié le 1er décembre\n      - kind: job\n        title: 'Poste A'",
    );
    expect(b).toBeGreaterThan(-1);
    expect(a).toBeGreaterThan(b);
    expect(text).toContain('deadline: 2027-01-10 # date ferme');
    expect(text).toContain("# les postes d'abord\n  - id: postes");
    expect(text).toMatch(/^# Le fil de Marianne, décembre: relu par Claire\n/);
    expect(text).toMatch(/\n# fin du fichier\n$/);
  });

  it('moves an item to another section with its comments', () => {
    const next = issueOf(original);
    const [moved] = next.sections[0]!.items.splice(1, 1);
    next.sections[1]!.items.push(moved!);
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    const agenda = text.slice(text.indexOf('- id: agenda'));
    expect(agenda).toContain(
      "# à confirmer avec l'institut\n      - kind: job\n        title: 'Poste B'",
    );
    expect(text.slice(0, text.indexOf('- id: agenda'))).not.toContain('Poste B');
    expect(text).toContain('# vérifié le 1er décembre');
  });

  it('adds an item as a block at its place and removes another with its comment', () => {
    const next = issueOf(original);
    next.sections[0]!.items.splice(0, 1);
    next.sections[0]!.items.splice(1, 0, {
      kind: 'fellowship',
      title: 'Bourse D',
      summary: 'Première ligne.\n\nDeuxième paragraphe.\n',
      url: 'https://example.org/d',
      institution: 'ANR',
      location: 'Toute la France',
      deadline: '2027-03-01',
    });
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    expect(text).not.toContain('Poste A');
    expect(text).not.toContain('# vérifié le 1er décembre');
    expect(text).toContain(
      '      - kind: fellowship\n        title: Bourse D\n        summary: |\n          Première ligne.\n\n          Deuxième paragraphe.\n',
    );
    expect(text.indexOf('Poste B')).toBeLessThan(text.indexOf('Bourse D'));
    expect(text.indexOf('Bourse D')).toBeLessThan(text.indexOf('Poste C'));
    expect(text).toContain("# à confirmer avec l'institut");
  });

  it('adds and removes English fields, each new key at its usual place', () => {
    const next = issueOf(original);
    next.en = { subject: 'The thread #22', introduction: 'First paragraph.\n\nSecond.\n' };
    items(next, 0)[0]!.en = { title: 'Position A' };
    delete items(next, 0)[2]!.en;
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    expect(text).toContain(
      '  Second paragraphe.\nen:\n  subject: "The thread #22"\n  introduction: |\n    First paragraph.\n\n    Second.\nsections:\n',
    );
    expect(text).toContain(
      'deadline: 2027-01-10 # date ferme\n        en:\n          title: Position A\n',
    );
    expect(text).not.toContain('Position C');
  });

  it('keeps a Markdown text a block when it is edited, and turns a one-line text multi-line as a block', () => {
    const next = issueOf(original);
    next.introduction = 'Premier paragraphe.\n\n- une liste\n- de deux points\n';
    items(next, 0)[0]!.summary = 'Résumé A,\nsur deux lignes.';
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    expect(text).toContain(
      'introduction: |\n  Premier paragraphe.\n\n  - une liste\n  - de deux points\nsections:',
    );
    expect(text).toContain('        summary: |\n          Résumé A,\n          sur deux lignes.\n');
  });

  it('adds and removes sections, keeping the comment of the section that stays', () => {
    const next = issueOf(original);
    next.sections = [
      next.sections[1]!,
      { id: 'bourses', items: [{ ...(items(next, 0)[0] as JobItem), kind: 'fellowship' }] },
    ];
    const text = updateIssueText(original, next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
    expect(text).toContain('      - kind: event # le seul événement');
    expect(text).toContain(
      '  - id: bourses\n    items:\n      # vérifié le 1er décembre\n      - kind: fellowship',
    );
    expect(text).not.toContain('Poste B');
  });

  it('edits a file written by `depeche issue new` without refolding its long lines', () => {
    const long = `${'Un très long sujet qui dépasse largement la limite de quatre-vingts colonnes '.repeat(2)}fin`;
    const drafted = `# draft\nnewsletter: adn\nnumber: 1\ndate: 2026-12-01\nsubject: ${long}\npreheader: court\nintroduction: court\nsections:\n  - id: a\n    items:\n      - kind: news\n        title: T\n        summary: S\n        url: https://example.org/t\n`;
    const next = issueOf(drafted);
    next.preheader = 'plus long';
    expect(updateIssueText(drafted, next)).toBe(
      drafted.replace('preheader: court', 'preheader: plus long'),
    );
  });

  it('keeps the line ends of a file written on Windows', () => {
    const windows = original.replaceAll('\n', '\r\n');
    expect(updateIssueText(windows, issueOf(original))).toBe(windows);
    const next = issueOf(original);
    next.subject = 'Le fil n° 22 — décembre';
    expect(updateIssueText(windows, next)).toBe(
      updateIssueText(original, next).replaceAll('\n', '\r\n'),
    );
  });

  it('writes the issue afresh when the file is not valid YAML', () => {
    const next = issueOf(original);
    const text = updateIssueText('newsletter: [unclosed\n', next);
    expect(issueOf(text)).toEqual(IssueSchema.parse(next));
  });
});

describe('updateIssueText on random edits', () => {
  /** A small seeded generator, so that a failure replays. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const comments = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.includes('#') && /(^|\s)#\s/.test(line))
      .map((line) => line.slice(line.indexOf('#')))
      .sort();

  it('reads back as the edited issue, keeps every comment of what stays, and is stable', () => {
    expect(comments(original)).toHaveLength(8);
    for (let run = 0; run < 60; run += 1) {
      const next = random(run + 1);
      const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
      const issue = issueOf(original);
      let removed = false;
      for (let step = 0; step < 4; step += 1) {
        const section = pick(issue.sections);
        const op = Math.floor(next() * 6);
        if (op === 0) pick(section.items).title = `Titre ${run}.${step}`;
        if (op === 1) pick(section.items).summary = `Ligne ${run}\n\nParagraphe ${step}`;
        if (op === 2) section.items.reverse();
        if (op === 3) {
          const other = pick(issue.sections);
          if (other !== section && section.items.length > 1) other.items.push(section.items.pop()!);
        }
        if (op === 4 && section.items.length > 1) {
          section.items.splice(Math.floor(next() * section.items.length), 1);
          removed = true;
        }
        if (op === 5) {
          section.items.splice(Math.floor(next() * (section.items.length + 1)), 0, {
            kind: 'news',
            title: `Nouvelle ${run}.${step}`,
            summary: 'Résumé.',
            url: `https://example.org/${run}/${step}`,
            en: { title: 'News' },
          });
        }
      }
      const text = updateIssueText(original, issue);
      expect(issueOf(text)).toEqual(IssueSchema.parse(issue));
      expect(updateIssueText(text, issueOf(text))).toBe(text);
      const kept = comments(text);
      if (removed) expect(comments(original)).toEqual(expect.arrayContaining(kept));
      else expect(kept).toEqual(comments(original));
    }
  });
});
