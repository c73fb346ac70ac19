import { describe, expect, it } from 'vitest';

import { canonicalUrl } from './canonical-url.ts';
import { containsKeyword } from './keywords.ts';
import { normalizeEntry } from './normalize-entry.ts';
import { htmlToText, shortenText } from './plain-text.ts';

const now = new Date('2026-11-20T12:00:00Z');
const feed = { url: 'https://example.org/feed.xml', name: 'Example News', section: 'agences' };
const base = { baseUrl: 'https://example.org/feed.xml' };

function normalize(entry: Parameters<typeof normalizeEntry>[0], rules = {}) {
  return normalizeEntry(entry, { newsletterId: 'adn', feed: { ...feed, ...rules }, now });
}

describe('canonicalUrl', () => {
  it.each([
    [
      'https://WWW.Example.ORG:443/a/b?utm_source=x&id=3&UTM_Medium=y&fbclid=1#top',
      'https://www.example.org/a/b?id=3',
    ],
    ['http://example.org/?gclid=1&mc_cid=2&mc_eid=3', 'http://example.org/'],
    ['https://example.org/p?b=2&a=1', 'https://example.org/p?b=2&a=1'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'not a url'])('rejects %s', (input) => {
    expect(canonicalUrl(input)).toBeUndefined();
  });
});

describe('plain text', () => {
  it('strips tags and scripts, decodes entities, collapses whitespace', () => {
    expect(
      htmlToText(
        '<p>Caf&eacute; &amp; <b>th&#233;</b></p><script>alert(1)</script><p>fin&nbsp;!</p>',
      ),
    ).toBe('Café & thé fin !');
  });

  it('shortens at a word boundary with an ellipsis', () => {
    const text = 'mot '.repeat(200).trim();
    const short = shortenText(text, 400);
    expect(short.length).toBeLessThanOrEqual(400);
    expect(short.endsWith('mot…')).toBe(true);
  });

  it('matches keywords at word starts, ignoring case and accents', () => {
    expect(containsKeyword('Évaluation des Postdocs', 'evaluation')).toBe(true);
    expect(containsKeyword('Évaluation des Postdocs', 'postdoc')).toBe(true);
    expect(containsKeyword('Technology transfer', 'nsf')).toBe(false);
  });
});

describe('normalizeEntry', () => {
  it('makes a clean candidate of an entry with HTML, entities and scripts', () => {
    const outcome = normalize({
      ...base,
      title: '<b>Appel &agrave; projets</b> &amp; bourses  2027',
      link: '/news/42?utm_source=rss',
      guid: 'tag:example.org,2026:42',
      published: 'Tue, 10 Nov 2026 09:00:00 GMT',
      summaryHtml:
        '<p>Texte <script>alert("x")</script>utile.</p><img src=x onerror=alert(1)> Date limite : 15 décembre 2026',
    });
    expect(outcome).toMatchObject({
      kind: 'candidate',
      candidate: {
        title: 'Appel à projets & bourses 2027',
        url: 'https://example.org/news/42?utm_source=rss',
        canonicalUrl: 'https://example.org/news/42',
        summary: 'Texte utile. Date limite : 15 décembre 2026',
        deadline: '2026-12-15',
        sectionId: 'agences',
        sourceName: 'Example News',
        guid: 'tag:example.org,2026:42',
      },
    });
    if (outcome.kind === 'candidate') {
      expect(outcome.candidate.publishedAt?.toISOString()).toBe('2026-11-10T09:00:00.000Z');
    }
  });

  it('reads hostile markup in a linear time: unclosed tags and scripts', () => {
    for (const junk of ['<'.repeat(50_000), '<script '.repeat(10_000), 'a<a '.repeat(20_000)]) {
      const outcome = normalize({
        ...base,
        link: '/junk',
        title: `Appel ${junk.slice(0, 5_000)}`,
        summaryHtml: junk,
        contentHtml: junk,
      });
      expect(outcome.kind).toBe('candidate');
      if (outcome.kind === 'candidate') {
        expect(outcome.candidate.title.length).toBeLessThanOrEqual(300);
        expect(outcome.candidate.summary.length).toBeLessThanOrEqual(400);
      }
    }
  });

  it('skips an entry without link, unless its GUID is a URL', () => {
    expect(normalize({ ...base, title: 'Sans lien' })).toEqual({
      kind: 'skipped',
      reason: 'no-link',
    });
    const withGuid = normalize({ ...base, title: 'Par GUID', guid: 'https://example.org/g/1' });
    expect(withGuid).toMatchObject({ candidate: { url: 'https://example.org/g/1' } });
  });

  it('dates an entry without date by its first sighting', () => {
    const outcome = normalize({ ...base, title: 'Sans date', link: 'https://example.org/x' });
    expect(outcome).toMatchObject({ candidate: { publishedAt: null, firstSeenAt: now } });
  });

  it('drops entries older than max_age_days', () => {
    const entry = { ...base, title: 'Vieux', link: '/old', published: '2026-08-01T00:00:00Z' };
    expect(normalize(entry)).toEqual({ kind: 'skipped', reason: 'too-old' });
    expect(normalize(entry, { max_age_days: 200 })).toMatchObject({ kind: 'candidate' });
  });

  it('applies include and exclude keywords without regard to case or accents', () => {
    const entry = { ...base, title: 'Résultats de l’ÉVALUATION', link: '/e' };
    expect(normalize(entry, { include: ['evaluation'] })).toMatchObject({ kind: 'candidate' });
    expect(normalize(entry, { include: ['postdoc'] })).toMatchObject({ reason: 'not-included' });
    expect(normalize(entry, { exclude: ['résultats'] })).toMatchObject({ reason: 'excluded' });
  });

  it('routes an entry to the section of the first rule its title, else its text, holds', () => {
    const sections = [
      { keywords: ['bourse', 'fellowship'], section: 'bourses' },
      { keywords: ['postdoc', 'post-doctorat'], section: 'postes' },
    ];
    const sectionOf = (entry: Parameters<typeof normalizeEntry>[0]) => {
      const outcome = normalize(entry, { sections });
      return outcome.kind === 'candidate' ? outcome.candidate.sectionId : outcome.reason;
    };
    expect(sectionOf({ ...base, link: '/1', title: 'Offre de POST-DOCTORAT à Lyon' })).toBe(
      'postes',
    );
    const postdocWithFellowship = {
      ...base,
      link: '/2',
      title: 'Postdoc in glaciology',
      summaryHtml: '<p>Funded by a <b>fellowship</b>.</p>',
    };
    expect(sectionOf(postdocWithFellowship)).toBe('postes');
    const inText = { ...base, link: '/3', title: 'Programme 2027', summaryHtml: 'Bourses.' };
    expect(sectionOf(inText)).toBe('bourses');
    const inContent = { ...base, link: '/4', title: 'Programme 2028', contentHtml: 'Postdocs.' };
    expect(sectionOf(inContent)).toBe('postes');
    expect(sectionOf({ ...base, link: '/5', title: 'Nomination' })).toBe('agences');
  });

  it('gives generic short titles a key that includes the link', () => {
    const a = normalize({ ...base, title: 'News release', link: '/a' });
    const b = normalize({ ...base, title: 'News release', link: '/b' });
    const keyOf = (o: typeof a) => (o.kind === 'candidate' ? o.candidate.titleKey : '');
    expect(keyOf(a)).not.toBe(keyOf(b));
    const c = normalize({ ...base, title: 'NSF announces new AI institutes', link: '/c' });
    const d = normalize({ ...base, title: 'NSF Announces New AI Institutes!', link: '/d' });
    expect(keyOf(c)).toBe(keyOf(d));
  });
});
