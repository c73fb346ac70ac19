import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/index.ts';
import { CONSENT_VERSION } from '../../src/web/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, openForm, postForm, type TestWebApp } from '../helpers/web-app.ts';

const validForm = {
  email: 'marie.curie@example.org',
  newsletters: ['adn', 'fil-de-marianne'],
  name: 'Marie',
  country: 'US',
  career_stage: 'postdoc',
  language: 'fr',
  consent: 'yes',
  website: '',
};

describe.each(databaseKinds)('subscribe pages on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;

  beforeAll(async () => {
    database = await open();
    web = await buildTestWebApp({ database: database.handle });
  });
  afterAll(async () => {
    await web.app.close();
    await database.drop();
  });
  beforeEach(async () => {
    await database.handle.db.execute(
      sql`TRUNCATE subscribers, subscriptions, consent_events, suppressions RESTART IDENTITY CASCADE`,
    );
    web.enqueued.length = 0;
  });

  const consentRows = () =>
    queryRows<{ kind: string; consent_version: string | null; newsletter_id: string }>(
      database.handle.db,
      sql`SELECT kind, consent_version, newsletter_id FROM consent_events ORDER BY id`,
    );
  const statuses = () =>
    queryRows<{ newsletter_id: string; status: string }>(
      database.handle.db,
      sql`SELECT newsletter_id, status FROM subscriptions ORDER BY newsletter_id`,
    );

  it('serves the form in French by default, English by ?lang=en or Accept-Language', async () => {
    const fr = await web.app.inject({ url: '/subscribe' });
    expect(fr.statusCode).toBe(200);
    expect(fr.body).toContain('<html lang="fr">');
    expect(fr.body).toContain('S’abonner');
    // Handlebars writes `=` in attributes as `&#x3D;`
    expect(fr.body).toContain('href="/subscribe?lang&#x3D;en"');
    expect(fr.body).toContain('name="website"');
    expect(fr.body).toContain('href="/privacy?lang=fr"');
    expect(fr.headers['content-security-policy']).toContain("script-src 'none'");
    expect(fr.headers['x-frame-options']).toBeDefined();
    const en = await web.app.inject({ url: '/subscribe?lang=en' });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Email address');
    const header = await web.app.inject({
      url: '/subscribe',
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(header.body).toContain('<html lang="en">');
    expect((await web.app.inject({ url: '/' })).headers.location).toBe('/subscribe?lang=fr');
  });

  it('serves the privacy notice with the consent text version', async () => {
    const page = await web.app.inject({ url: '/privacy?lang=en' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CONSENT_VERSION);
    // The retention periods (the defaults here) and the absence of tracking are stated.
    expect(page.body).toContain('deleted after 30 days');
    expect(page.body).toContain('365 days after your last unsubscribe');
    expect(page.body).toContain('no pixel that tracks opens');
    const fr = await web.app.inject({ url: '/privacy?lang=fr' });
    expect(fr.body).toContain('effacée après 30 jours');
    expect(fr.body).toContain('Aucun suivi');
  });

  it('records a pending subscription with its consent version and enqueues one confirmation', async () => {
    const session = await openForm(web.app, '/subscribe');
    const response = await postForm(web.app, '/subscribe', validForm, session);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Vérifiez votre messagerie');
    expect(await statuses()).toEqual([
      { newsletter_id: 'adn', status: 'pending' },
      { newsletter_id: 'fil-de-marianne', status: 'pending' },
    ]);
    const events = await consentRows();
    expect(events.map((e) => [e.kind, e.consent_version])).toEqual([
      ['subscribe', CONSENT_VERSION],
      ['subscribe', CONSENT_VERSION],
    ]);
    expect(web.enqueued).toEqual([
      { name: 'confirm', data: { kind: 'confirm', subscriberId: 1, locale: 'fr' } },
    ]);
  });

  it('answers the same whether the address was known or not', async () => {
    const session = await openForm(web.app, '/subscribe');
    const first = await postForm(web.app, '/subscribe', validForm, session);
    await web.subscribers.confirm(1, undefined, { source: 'test' });
    const known = await postForm(web.app, '/subscribe', validForm, session);
    const unknown = await postForm(
      web.app,
      '/subscribe',
      { ...validForm, email: 'nobody@example.org' },
      session,
    );
    for (const response of [known, unknown]) {
      expect(response.statusCode).toBe(first.statusCode);
      expect(response.body).toBe(first.body);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a POST without a valid CSRF token (403) and records nothing', async () => {
    const missing = await postForm(web.app, '/subscribe', validForm);
    expect(missing.statusCode).toBe(403);
    const session = await openForm(web.app, '/subscribe');
    const wrong = await postForm(web.app, '/subscribe', validForm, { ...session, csrf: 'forged' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('Formulaire expiré');
    expect(await statuses()).toEqual([]);
  });

  it('shows errors next to the fields and keeps the input, escaped', async () => {
    const session = await openForm(web.app, '/subscribe?lang=en');
    const response = await postForm(
      web.app,
      '/subscribe',
      { email: 'not-an-address', name: '<script>alert(1)</script>', lang: 'en', country: 'ZZ' },
      session,
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="email-error"');
    expect(response.body).toContain('id="newsletters-error"');
    expect(response.body).toContain('id="consent-error"');
    expect(response.body).toContain('id="country-error"');
    expect(response.body).toContain('value="not-an-address"');
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).not.toContain('<script>');
    expect(await statuses()).toEqual([]);
  });

  it('records nothing when the honeypot is filled, with the same answer', async () => {
    const session = await openForm(web.app, '/subscribe');
    const bot = await postForm(
      web.app,
      '/subscribe',
      { ...validForm, website: 'http://spam.example' },
      session,
    );
    expect(bot.statusCode).toBe(200);
    expect(bot.body).toContain('Vérifiez votre messagerie');
    expect(await statuses()).toEqual([]);
    expect(web.enqueued).toEqual([]);
  });
});

describe('subscribe rate limits', () => {
  let database: TestDatabase;
  let web: TestWebApp;

  beforeAll(async () => {
    database = await databaseKinds[0].open();
    web = await buildTestWebApp({
      database: database.handle,
      rateLimits: { perIpPerMinute: 4, perAddressPerHour: 2 },
    });
  });
  afterAll(async () => {
    await web.app.close();
    await database.drop();
  });

  it('limits subscribe POSTs per address (429) and per IP (429)', async () => {
    const session = await openForm(web.app, '/subscribe');
    const post = (email: string) =>
      postForm(web.app, '/subscribe', { ...validForm, email }, session);
    expect((await post('a@example.org')).statusCode).toBe(200);
    expect((await post('A@example.org')).statusCode).toBe(200);
    const third = await post('a@example.org');
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect((await post('b@example.org')).statusCode).toBe(200);
    const overIp = await post('c@example.org');
    expect(overIp.statusCode).toBe(429);
    expect(overIp.body).toContain('Trop de demandes');
    const otherIp = await postForm(
      web.app,
      '/subscribe',
      { ...validForm, email: 'd@example.org' },
      session,
      {
        'x-forwarded-for': '203.0.113.9',
      },
    );
    // Without a trusted proxy the forwarded address is ignored: still the same IP.
    expect(otherIp.statusCode).toBe(429);
  });
});
