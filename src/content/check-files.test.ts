import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCheck } from './check-files.ts';

const newsletter = `id: adn
title: "AdN"
sender: { name: "AdN", email: adn@example.org }
sections:
  - id: agences
    title: { fr: "Agences", en: "Agencies" }
`;

function issue(date: string, number: number, url: string): string {
  return `newsletter: adn
number: ${number}
date: ${date}
subject: "S"
preheader: "P"
introduction: "I"
sections:
  - id: agences
    items:
      - { kind: news, title: "T", summary: "S", url: "${url}" }
`;
}

describe('runCheck', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depeche-check-files-'));
    await mkdir(join(dir, 'adn'));
    await writeFile(join(dir, 'adn', 'newsletter.yaml'), newsletter);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks the whole issues directory when no path is given, newsletter first', async () => {
    await writeFile(
      join(dir, 'adn', '2026-11.yaml'),
      issue('2026-11-05', 2, 'https://example.org/a'),
    );
    const report = await runCheck([], { issuesDir: dir });
    expect(report.files).toEqual([
      join(dir, 'adn', 'newsletter.yaml'),
      join(dir, 'adn', '2026-11.yaml'),
    ]);
    expect(report.problems).toEqual([]);
  });

  it('reports two issues of one newsletter sharing a number', async () => {
    await writeFile(
      join(dir, 'adn', '2026-10.yaml'),
      issue('2026-10-05', 2, 'https://example.org/a'),
    );
    await writeFile(
      join(dir, 'adn', '2026-11.yaml'),
      issue('2026-11-05', 2, 'https://example.org/b'),
    );
    const report = await runCheck([], { issuesDir: dir });
    expect(report.problems).toEqual([
      {
        file: join(dir, 'adn', '2026-11.yaml'),
        line: 2,
        location: 'number',
        message: `issue number 2 of newsletter 'adn' is already used by '${join(dir, 'adn', '2026-10.yaml')}'`,
      },
    ]);
  });

  it('reports a feed routing rule to an unknown section at its file, line and location', async () => {
    await writeFile(
      join(dir, 'adn', 'newsletter.yaml'),
      `${newsletter}feeds:
  - url: https://www.nsf.gov/rss/rss_www_news.xml
    name: NSF News
    section: agences
    sections:
      - { keywords: [budget], section: agences }
      - keywords: [postdoc, post-doctorat]
        section: emplois
`,
    );
    const report = await runCheck([], { issuesDir: dir });
    expect(report.problems).toEqual([
      {
        file: join(dir, 'adn', 'newsletter.yaml'),
        line: 14,
        location: 'feeds[0].sections[1].section',
        message: "unknown section 'emplois' (sections: agences)",
      },
    ]);
  });

  it('reports a section without items and a Markdown image as problems for sending', async () => {
    const file = join(dir, 'adn', '2026-11.yaml');
    await writeFile(
      file,
      issue('2026-11-05', 2, 'https://example.org/a')
        .replace('introduction: "I"', 'introduction: "Voir ![carte](https://example.org/c.png)"')
        .concat('  - id: agences2\n    items: []\n'),
    );
    const report = await runCheck([file], { issuesDir: dir });
    expect(report.problems).toEqual([
      {
        file,
        line: 6,
        location: 'introduction',
        message:
          'image ![carte](https://example.org/c.png) is not shown in the email (emails carry no images); write a link instead: [carte](https://example.org/c.png)',
      },
      expect.objectContaining({ file, location: 'sections[1].id' }),
      {
        file,
        line: 12,
        location: 'sections[1].items',
        message: "section 'agences2' has no items; add one or remove the section before sending",
      },
    ]);
  });

  it('reports an empty directory', async () => {
    await mkdir(join(dir, 'empty'));
    const report = await runCheck([join(dir, 'empty')], { issuesDir: dir });
    expect(report.problems.map((p) => p.message)).toEqual([
      'no newsletter or issue file found here',
    ]);
  });

  it('passes link failures from the link checker as problems at the link', async () => {
    await writeFile(
      join(dir, 'adn', '2026-11.yaml'),
      issue('2026-11-05', 1, 'https://example.org/gone'),
    );
    const report = await runCheck([], {
      issuesDir: dir,
      linkChecker: {
        check: async (urls) => urls.map((url) => ({ url, isOk: false, reason: 'HTTP 410' })),
      },
    });
    expect(report.problems).toMatchObject([
      {
        line: 10,
        location: 'sections[0].items[0].url',
        message: 'link https://example.org/gone failed: HTTP 410',
      },
    ]);
  });
});
