import { describe, expect, it } from 'vitest';

import { collectIssueLinks, markdownLinks } from './issue-links.ts';

describe('markdownLinks', () => {
  it('finds inline links and autolinks, not other schemes', () => {
    expect(
      markdownLinks(
        'Voir [la NSF](https://www.nsf.gov/news "titre"), <https://www.nih.gov/> et [x](mailto:a@example.org).',
      ),
    ).toEqual(['https://www.nsf.gov/news', 'https://www.nih.gov/']);
  });
});

describe('collectIssueLinks', () => {
  it('collects item URLs and links in introductions and summaries, with their paths', () => {
    const links = collectIssueLinks({
      introduction: 'Lire [ici](https://www.example.org/intro).',
      en: { introduction: 'Read [here](https://www.example.org/intro-en).' },
      sections: [
        {
          items: [
            { url: 'https://www.example.org/a', summary: 'Voir [b](https://www.example.org/b).' },
            { url: 'ftp://example.org/ignored' },
          ],
        },
        'not a section',
      ],
    });
    expect(links).toEqual([
      { url: 'https://www.example.org/intro', path: ['introduction'] },
      { url: 'https://www.example.org/intro-en', path: ['en', 'introduction'] },
      { url: 'https://www.example.org/a', path: ['sections', 0, 'items', 0, 'url'] },
      { url: 'https://www.example.org/b', path: ['sections', 0, 'items', 0, 'summary'] },
    ]);
  });
});
