import { describe, expect, it } from 'vitest';

import { issueKey } from './issue.ts';
import { NewsletterSchema } from './newsletter.ts';

const minimal = {
  id: 'adn',
  title: 'AdN',
  sender: { name: 'AdN', email: 'adn@example.org' },
  sections: [{ id: 'agences', title: { fr: 'Agences', en: 'Agencies' } }],
};

describe('NewsletterSchema', () => {
  it('fills defaults: French, a theme, no feeds, 60 days per feed', () => {
    const newsletter = NewsletterSchema.parse({
      ...minimal,
      feeds: [{ url: 'https://www.nsf.gov/rss/rss_www_news.xml', name: 'NSF', section: 'agences' }],
    });
    expect(newsletter.language).toBe('fr');
    expect(newsletter.theme.primary).toMatch(/^#/);
    expect(newsletter.feeds[0]?.max_age_days).toBe(60);
    expect(NewsletterSchema.parse(minimal).feeds).toEqual([]);
  });

  it('rejects a feed routed to an unknown section and a section defined twice', () => {
    const result = NewsletterSchema.safeParse({
      ...minimal,
      sections: [...minimal.sections, ...minimal.sections],
      feeds: [{ url: 'https://example.org/feed', name: 'X', section: 'nope' }],
    });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['sections.1.id', "section 'agences' is defined twice"],
      ['feeds.0.section', "unknown section 'nope' (sections: agences)"],
    ]);
  });

  it('reads routing rules and rejects rules to unknown sections, without keywords or extra fields', () => {
    const feed = { url: 'https://example.org/feed', name: 'X', section: 'agences' };
    const routed = NewsletterSchema.parse({
      ...minimal,
      sections: [...minimal.sections, { id: 'politique', title: { fr: 'P', en: 'P' } }],
      feeds: [{ ...feed, sections: [{ keywords: ['budget', 'Congrès'], section: 'politique' }] }],
    });
    expect(routed.feeds[0]?.sections).toEqual([
      { keywords: ['budget', 'Congrès'], section: 'politique' },
    ]);
    const result = NewsletterSchema.safeParse({
      ...minimal,
      feeds: [
        {
          ...feed,
          sections: [
            { keywords: ['budget'], section: 'agences' },
            { keywords: ['postdoc'], section: 'emplois' },
            { keywords: [], section: 'agences' },
            { keyword: ['x'], section: 'agences' },
          ],
        },
      ],
    });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['feeds.0.sections.2.keywords', 'a routing rule needs at least one keyword'],
      ['feeds.0.sections.3.keywords', 'Invalid input: expected array, received undefined'],
      ['feeds.0.sections.3', 'Unrecognized key: "keyword"'],
    ]);
    // Unknown sections are found once the shapes are right (a second pass, as in depeche check).
    const unknown = NewsletterSchema.safeParse({
      ...minimal,
      feeds: [{ ...feed, sections: [{ keywords: ['postdoc'], section: 'emplois' }] }],
    });
    expect(unknown.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['feeds.0.sections.0.section', "unknown section 'emplois' (sections: agences)"],
    ]);
  });

  it('reads the kind a feed and a routing rule give their entries, and rejects an unknown kind', () => {
    const feed = { url: 'https://example.org/feed', name: 'X', section: 'agences' };
    const parsed = NewsletterSchema.parse({
      ...minimal,
      feeds: [
        {
          ...feed,
          kind: 'job',
          sections: [{ keywords: ['prix'], section: 'agences', kind: 'prize' }],
        },
      ],
    });
    expect(parsed.feeds[0]).toMatchObject({ kind: 'job', sections: [{ kind: 'prize' }] });
    const result = NewsletterSchema.safeParse({
      ...minimal,
      feeds: [
        {
          ...feed,
          kind: 'article',
          sections: [{ keywords: ['x'], section: 'agences', kind: 'Job' }],
        },
      ],
    });
    const kinds = 'news, event, job, call, fellowship, prize, publication';
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['feeds.0.kind', `must be one of ${kinds}`],
      ['feeds.0.sections.0.kind', `must be one of ${kinds}`],
    ]);
  });

  it('rejects a bad sender address, colour and id', () => {
    const result = NewsletterSchema.safeParse({
      ...minimal,
      id: 'AdN!',
      sender: { name: 'AdN', email: 'not-an-address' },
      theme: { primary: 'blue', accent: '#fff' },
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'id',
      'sender.email',
      'theme.primary',
    ]);
  });
});

describe('issueKey', () => {
  it('is the newsletter and the month of the date', () => {
    expect(issueKey({ newsletter: 'adn', date: '2026-11-05' })).toBe('adn/2026-11');
  });
});
