import { sql } from 'drizzle-orm';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

const body = (title: string) => ({
  html: `<!doctype html><html><body><p>%%greeting%%</p><h1>${title}</h1><a href="%%unsubscribe_url%%">u</a><a href="%%preferences_url%%">p</a><a href="%%view_online_url%%">v</a></body></html>`,
  text: `%%greeting%%\n${title}\nNSF budget 2027 and the CONAHCYT reform\n« Événement » : l’Œuvre franco-mexicaine\n%%unsubscribe_url%%`,
});

/** The page as a browser reads its attributes: Handlebars writes `=` as `&#x3D;`. */
const html = (response: { body: string }) => response.body.replaceAll('&#x3D;', '=');

describe.each(databaseKinds)('archive on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;

  beforeAll(async () => {
    database = await open();
    web = await buildTestWebApp({ database: database.handle });
    const db = database.handle.db;
    const campaigns: Array<[string, string, string, string]> = [
      ['adn', 'adn/2026-10', 'done', '2026-10-05T08:00:00Z'],
      ['adn', 'adn/2026-11', 'sending', '2026-11-05T08:00:00Z'],
      ['adn', 'adn/2026-12', 'draft', '2026-12-05T08:00:00Z'],
      ['fil-de-marianne', 'fil-de-marianne/2026-11', 'done', '2026-11-06T08:00:00Z'],
    ];
    for (const [newsletter, key, status, startedAt] of campaigns) {
      const month = key.slice(-7);
      await db.execute(sql`
        WITH c AS (
          INSERT INTO campaigns (newsletter_id, issue_key, status, content_hash, started_at)
          VALUES (${newsletter}, ${key}, ${status}, 'h', ${startedAt}) RETURNING id
        )
        INSERT INTO campaign_bodies (campaign_id, locale, subject, preheader, html, text)
        SELECT id, 'fr', ${`${newsletter} ${month} : budget & <recherche>`}, ${`Résumé ${month}`},
               ${body(`Numéro ${month}`).html}, ${body(`Numéro ${month}`).text} FROM c
        UNION ALL
        SELECT id, 'en', ${`${newsletter} ${month}: budget`}, '', ${body(`Issue ${month}`).html},
               ${body(`Issue ${month}`).text} FROM c`);
    }
  });
  afterAll(async () => {
    await web.app.close();
    await database.drop();
  });

  it('lists the sent issues of a newsletter, newest first, escaped', async () => {
    const page = await web.app.inject({ url: '/archive/adn' });
    expect(page.statusCode).toBe(200);
    const links = [...html(page).matchAll(/href="(\/archive\/adn\/[\d-]+)\?lang=fr"/g)].map(
      (m) => m[1],
    );
    expect(links).toEqual(['/archive/adn/2026-11', '/archive/adn/2026-10']);
    expect(page.body).toContain('budget &amp; &lt;recherche&gt;');
    expect(page.body).toContain('Résumé 2026-11');
    expect(html(page)).toContain('href="/archive/adn/feed.xml?lang=fr"');
  });

  it('searches over subjects, summaries and texts', async () => {
    const hit = await web.app.inject({ url: '/archive/adn?q=R%C3%A9sum%C3%A9%202026-10' });
    expect([...html(hit).matchAll(/href="\/archive\/adn\/([\d-]+)\?/g)].map((m) => m[1])).toEqual([
      '2026-10',
    ]);
    const text = await web.app.inject({ url: '/archive/adn?q=conahcyt&lang=en' });
    expect(text.body).toContain('2 result(s)');
    // `_` is a literal, not a LIKE pattern: 'n_f' would otherwise match 'NSF'
    const none = await web.app.inject({ url: '/archive/adn?q=n_f' });
    expect(none.body).toContain('0 résultat(s)');
    expect(none.body).toContain('value="n_f"');
    expect((await web.app.inject({ url: '/archive/adn?q=nsf' })).body).toContain('2 résultat(s)');
  });

  it('ignores accents and case in the search, on both sides', async () => {
    const months = async (q: string) =>
      [
        ...html(await web.app.inject({ url: `/archive/adn?q=${encodeURIComponent(q)}` })).matchAll(
          /href="\/archive\/adn\/([\d-]+)\?/g,
        ),
      ].map((m) => m[1]);
    // « Événement » in the texts, Résumé in the summaries
    expect(await months('evenement')).toEqual(['2026-11', '2026-10']);
    expect(await months('ÉVÉNEMENT')).toEqual(['2026-11', '2026-10']);
    expect(await months('e\u0301ve\u0301nement')).toEqual(['2026-11', '2026-10']);
    // typographic apostrophe and ligature: l’Œuvre
    expect(await months("l'oeuvre")).toEqual(['2026-11', '2026-10']);
    expect(await months('resume 2026-10')).toEqual(['2026-10']);
    expect(await months('RESUMÉ 2026-11')).toEqual(['2026-11']);
    expect(await months('évènement')).toEqual(['2026-11', '2026-10']);
    expect(await months('evenements')).toEqual([]);
  });

  it('keeps the search and other parameters in the language switch, escaped', async () => {
    const q = '"><script>é';
    const page = await web.app.inject({
      url: `/archive/adn?q=${encodeURIComponent(q)}&lang=fr&view=all`,
    });
    expect(page.body).not.toContain('<script>');
    const switchTo = (lang: string) =>
      new RegExp(`<a href="([^"]+)" lang="${lang}" hreflang="${lang}"`).exec(html(page))?.[1];
    expect(switchTo('en')).toBe('/archive/adn?q=%22%3E%3Cscript%3E%C3%A9&amp;view=all&amp;lang=en');
    expect(switchTo('fr')).toBe('/archive/adn?q=%22%3E%3Cscript%3E%C3%A9&amp;view=all&amp;lang=fr');
    // following it: the same search, in English
    const english = await web.app.inject({ url: '/archive/adn?q=evenement&lang=en' });
    const link = new RegExp('<a href="([^"]+)" lang="fr"').exec(html(english))?.[1] ?? '';
    const french = await web.app.inject({ url: link.replaceAll('&amp;', '&') });
    expect(french.body).toContain('<html lang="fr">');
    expect(french.body).toContain('value="evenement"');
    expect(french.body).toContain('2 résultat(s)');
  });

  it('serves the web version with neutral placeholders and no personal link', async () => {
    const page = await web.app.inject({ url: '/archive/adn/2026-11?lang=en' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Issue 2026-11</h1>');
    expect(page.body).toContain('<p>Hello,</p>');
    expect(page.body).not.toContain('%%');
    expect(page.body).not.toMatch(/\/[upc]\/t1\./);
    expect(html(page)).toContain('href="http://localhost:3000/archive/adn/2026-11?lang=en"');
    expect(page.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // a bar above the email: back to the list, and the language switch of every page
    const bar = /<body><div [^>]*>(.*?)<\/div>/s.exec(html(page))?.[1] ?? '';
    expect(bar).toContain('href="/archive/adn?lang=en"');
    expect(bar).toContain('All AdN issues');
    expect(bar).toContain('href="/archive/adn/2026-11?lang=fr" lang="fr"');
    expect(bar).toContain('aria-current="page">English</a>');
    const french = await web.app.inject({ url: '/archive/adn/2026-11?lang=fr' });
    expect(french.body).toContain('<h1>Numéro 2026-11</h1>');
    expect(french.body).toContain('Toutes les lettres AdN');
  });

  it('answers 404 for a draft, an unknown month or newsletter', async () => {
    for (const url of [
      '/archive/adn/2026-12',
      '/archive/adn/2026-13',
      '/archive/nope',
      '/archive/nope/feed.xml',
      // longer than a newsletter id may be: an address that leads nowhere, not a failure
      `/archive/${'x'.repeat(80)}`,
      `/archive/${'x'.repeat(80)}/feed.xml`,
      `/archive/${'x'.repeat(80)}/2026-01`,
    ]) {
      const page = await web.app.inject({ url });
      expect(page.statusCode, url).toBe(404);
      expect(page.body, url).toContain('<html');
    }
  });

  it('publishes an RSS feed per newsletter', async () => {
    const response = await web.app.inject({ url: '/archive/fil-de-marianne/feed.xml' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/rss+xml');
    const feed = await new Parser().parseString(response.body);
    expect(feed.title).toBe('Le fil de Marianne');
    expect(feed.items.map((item) => item.link)).toEqual([
      'http://localhost:3000/archive/fil-de-marianne/2026-11?lang=fr',
    ]);
    expect(feed.items[0]?.title).toBe('fil-de-marianne 2026-11 : budget & <recherche>');
  });
});
