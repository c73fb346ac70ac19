import { describe, expect, it } from 'vitest';

import type { Issue } from '../content/index.ts';
import {
  checkIssueContent,
  formatFinding,
  GMAIL_CLIP_BYTES,
  renderedSizeFindings,
} from './send-guards.ts';

const text = `newsletter: fil-de-marianne
number: 3
date: 2026-11-05
subject: Le fil — novembre 2026
preheader: Les offres du mois
introduction: |
  Bonne lecture.
sections:
  - id: emplois
    items:
      - kind: job
        title: Poste de chercheur
        summary: Un poste au CNRS.
        url: https://example.org/poste
        institution: CNRS
        location: Grenoble, France
        deadline: 2026-12-10
  - id: bourses
    items: []
`;

function issue(overrides: Partial<Issue> = {}): Issue {
  return {
    newsletter: 'fil-de-marianne',
    number: 3,
    date: '2026-11-05',
    subject: 'Le fil — novembre 2026',
    preheader: 'Les offres du mois',
    introduction: 'Bonne lecture.\n',
    sections: [
      {
        id: 'emplois',
        items: [
          {
            kind: 'job',
            title: 'Poste de chercheur',
            summary: 'Un poste au CNRS.',
            url: 'https://example.org/poste',
            institution: 'CNRS',
            location: 'Grenoble, France',
            deadline: '2026-12-10',
          },
        ],
      },
    ],
    ...overrides,
  };
}

const sendAt = new Date('2026-12-01T08:00:00Z');
const source = { file: 'issues/fil-de-marianne/2026-11.yaml', text };

describe('checkIssueContent', () => {
  it('finds nothing in a finished issue sent before its deadlines', () => {
    expect(checkIssueContent({ issue: issue(), sendAt })).toEqual([]);
  });

  it.each([
    ['À compléter : introduction du numéro.', 'À compléter'],
    ['à COMPLETER plus tard', 'À compléter'],
    ['Lieu : À préciser', 'À préciser'],
    ['Summary to be completed.', 'To be completed'],
    ['Date TBD', 'TBD'],
  ])('blocks the placeholder in %j', (introduction, placeholder) => {
    const findings = checkIssueContent({ issue: issue({ introduction }), sendAt });
    expect(findings).toEqual([
      {
        code: 'placeholder',
        level: 'block',
        path: ['introduction'],
        where: 'introduction',
        message: `placeholder text « ${placeholder} » left in the issue; write the real text before sending`,
      },
    ]);
  });

  it('does not mistake ordinary words for placeholders', () => {
    const introduction = 'Les candidats complètent leur dossier ; une tbdx sans rapport.';
    expect(checkIssueContent({ issue: issue({ introduction }), sendAt })).toEqual([]);
  });

  it('finds the placeholder URL and the location of a drafted item, with file and line', () => {
    const drafted = issue();
    const job = drafted.sections[0]!.items[0]! as Extract<
      Issue['sections'][0]['items'][0],
      { kind: 'job' }
    >;
    job.location = 'À préciser';
    job.url = 'https://example.org/a-completer';
    const findings = checkIssueContent({ issue: drafted, sendAt, source });
    expect(findings.map(formatFinding)).toEqual([
      'issues/fil-de-marianne/2026-11.yaml:14: sections[0].items[0].url: placeholder text « À compléter » left in the issue; write the real text before sending',
      'issues/fil-de-marianne/2026-11.yaml:16: sections[0].items[0].location: placeholder text « À préciser » left in the issue; write the real text before sending',
    ]);
  });

  it('blocks a deadline already past on the planned send date, not on the issue date', () => {
    const late = new Date('2026-12-11T00:30:00Z');
    expect(checkIssueContent({ issue: issue(), sendAt: new Date('2026-12-10T23:59:00Z') })).toEqual(
      [],
    );
    const findings = checkIssueContent({ issue: issue(), sendAt: late, source });
    expect(findings).toEqual([
      {
        code: 'deadline-past',
        level: 'block',
        path: ['sections', 0, 'items', 0, 'deadline'],
        where: 'issues/fil-de-marianne/2026-11.yaml:17: sections[0].items[0].deadline',
        message:
          'deadline 2026-12-10 is already past on the planned send date 2026-12-11; remove the item or change its deadline',
      },
    ]);
  });

  it('blocks a section without items', () => {
    const withEmpty = issue({ sections: [...issue().sections, { id: 'bourses', items: [] }] });
    const findings = checkIssueContent({ issue: withEmpty, sendAt, source });
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'empty-section',
        level: 'block',
        path: ['sections', 1, 'items'],
        where: 'issues/fil-de-marianne/2026-11.yaml:19: sections[1].items',
        message: "section 'bourses' has no items; add one or remove the section before sending",
      }),
    ]);
  });

  it('blocks a Markdown image, which the email would drop', () => {
    const introduction = 'Voici ![le logo](https://example.org/logo.png) du mois.';
    const findings = checkIssueContent({ issue: issue({ introduction }), sendAt });
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'markdown-image',
        path: ['introduction'],
        message:
          'image ![le logo](https://example.org/logo.png) is not shown in the email (emails carry no images); write a link instead: [le logo](https://example.org/logo.png)',
      }),
    ]);
  });
});

describe('renderedSizeFindings', () => {
  it('accepts HTML up to the Gmail limit and blocks one byte more, counting UTF-8 bytes', () => {
    const exact = 'a'.repeat(GMAIL_CLIP_BYTES);
    expect(renderedSizeFindings([{ locale: 'fr', html: exact }])).toEqual([]);
    // « é » is two bytes: half as many characters reach the limit.
    const accented = 'é'.repeat(GMAIL_CLIP_BYTES / 2 + 1);
    expect(
      renderedSizeFindings([
        { locale: 'en', html: exact },
        { locale: 'fr', html: accented },
      ]),
    ).toEqual([
      {
        code: 'html-too-large',
        level: 'block',
        path: [],
        where: 'email (fr)',
        message:
          'the fr HTML is 102.0 KB, over the 102 KB Gmail shows before clipping the message (and its unsubscribe link); shorten the issue',
      },
    ]);
  });
});
