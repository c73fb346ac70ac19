import { describe, expect, it } from 'vitest';

import { NewsletterSchema } from './newsletter.ts';
import { normalizeUrlForComparison, validateIssueText } from './validate-issue.ts';

const adn = NewsletterSchema.parse({
  id: 'adn',
  title: 'AdN',
  sender: { name: 'AdN', email: 'adn@example.org' },
  sections: [
    { id: 'agences', title: { fr: 'Agences', en: 'Agencies' } },
    { id: 'mexique', title: { fr: 'Mexique', en: 'Mexico' } },
  ],
});

const header = `newsletter: adn
number: 1
date: 2026-11-05
subject: "Sujet"
preheader: "Accroche"
introduction: "Bonjour."
`;

function problemsOf(text: string, file = 'adn/2026-11.yaml', checkPlacement = false) {
  return validateIssueText(text, { file, newsletters: [adn], checkPlacement }).problems.map(
    (p) => `${p.line ?? '-'} ${p.location}: ${p.message}`,
  );
}

describe('validateIssueText', () => {
  it('returns the parsed issue when there is no problem', () => {
    const result = validateIssueText(
      `${header}sections:\n  - id: agences\n    items:\n      - { kind: news, title: T, summary: S, url: "https://www.nsf.gov/news" }\n`,
      { file: 'adn/2026-11.yaml', newsletters: [adn], checkPlacement: true },
    );
    expect(result.problems).toEqual([]);
    expect(result.issue?.sections[0]?.items[0]?.kind).toBe('news');
  });

  it('reports every problem of a file in one run, each with line and location', () => {
    const text = `${header}sections:
  - id: agences
    items:
      - kind: job
        title: "Poste"
        summary: "S"
        url: https://www.example.org/poste
        institution: "NSF"
        location: "Alexandria"
      - kind: news
        title: "N"
        summary: "S"
        url: https://example.org/x y
      - kind: call
        title: "C"
        summary: "S"
        url: https://EXAMPLE.org/x/
        institution: "ANR"
        location: "Paris"
        deadline: 2026-11-04
  - id: nulle-part
    items:
      - kind: news
        title: "D"
        summary: "S"
        url: https://www.example.org/poste/
        date: 2026-02-30
`;
    expect(problemsOf(text)).toEqual([
      "10 sections[0].items[0].deadline: missing required field 'deadline'",
      "19 sections[0].items[1].url: must be an http:// or https:// URL, got 'https://example.org/x y'",
      '26 sections[0].items[2].deadline: deadline 2026-11-04 is already past on the issue date 2026-11-05',
      "27 sections[1].id: unknown section 'nulle-part' of newsletter 'adn' (sections: agences, mexique)",
      '32 sections[1].items[0].url: duplicate link: same URL as sections[0].items[0]',
      "33 sections[1].items[0].date: must be a real date written YYYY-MM-DD, got '2026-02-30'",
    ]);
  });

  it('reports a URL of another scheme as invalid', () => {
    expect(
      problemsOf(
        `${header}sections:\n  - id: agences\n    items:\n      - kind: news\n        title: T\n        summary: S\n        url: "ftp://example.org/a"\n`,
      ),
    ).toEqual([
      "13 sections[0].items[0].url: must be an http:// or https:// URL, got 'ftp://example.org/a'",
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('newsletter: adn\nsubject: [unclosed\nnumber: 1\n')[0]).toMatch(
      /^\d+ : YAML syntax error/,
    );
    expect(problemsOf('a: 1\na: 2\n')).toEqual([
      expect.stringMatching(/^2 : YAML syntax error: .*unique/i),
    ]);
  });

  it('reports missing top-level fields, unknown fields and an unknown newsletter', () => {
    expect(problemsOf('newsletter: nsf\nnumber: 0\ncolour: red\n')).toEqual([
      "1 date: missing required field 'date'",
      "1 subject: missing required field 'subject'",
      "1 preheader: missing required field 'preheader'",
      "1 introduction: missing required field 'introduction'",
      "1 sections: missing required field 'sections'",
      "1 newsletter: unknown newsletter 'nsf' (known: adn)",
      '2 number: must be a positive number',
      "3 colour: unknown field 'colour'",
    ]);
  });

  it('checks the placement of the file only when asked', () => {
    const text = `${header}sections:\n  - id: agences\n    items:\n      - { kind: news, title: T, summary: S, url: "https://www.nsf.gov/news" }\n`;
    expect(problemsOf(text, 'issues/fil/2026-10.yaml')).toEqual([]);
    expect(problemsOf(text, 'issues/fil/2026-10.yaml', true)).toEqual([
      "1 newsletter: issue of newsletter 'adn' is in folder 'fil'; move it to 'adn/'",
      "3 date: file name '2026-10.yaml' does not match the issue date 2026-11-05; name it '2026-11.yaml'",
    ]);
  });

  it('points to a broken newsletter file instead of calling the newsletter unknown', () => {
    const result = validateIssueText(`${header}sections: []\n`, {
      file: 'adn/2026-11.yaml',
      newsletters: [],
      brokenNewsletterIds: ['adn'],
    });
    expect(result.problems.map((p) => p.message)).toContain(
      "newsletter 'adn' has an invalid newsletter.yaml; fix it first",
    );
  });
});

describe('normalizeUrlForComparison', () => {
  it.each([
    ['https://WWW.NSF.gov/news/', 'www.nsf.gov/news'],
    ['http://www.nsf.gov:80/news', 'www.nsf.gov/news'],
    ['https://www.nsf.gov/news?id=2', 'www.nsf.gov/news?id=2'],
  ])('%s → %s', (url, expected) => {
    expect(normalizeUrlForComparison(url)).toBe(expected);
  });
});

describe('validateIssueText on odd input', () => {
  it('reports an empty file and a file that is not a mapping', () => {
    expect(problemsOf('')).toEqual(['- : the file is empty']);
    expect(problemsOf('- a\n- b\n')).toEqual([
      '1 : the file must be a mapping of fields (key: value lines), got a list',
    ]);
  });

  it('stops an alias bomb with a problem instead of expanding it', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 8 }, (_, i) => {
        const name = String.fromCharCode(98 + i);
        const previous = String.fromCharCode(97 + i);
        return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`;
      }),
    ].join('\n');
    const problems = problemsOf(bomb);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/YAML error: .*alias/i);
  });
});
