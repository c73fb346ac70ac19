import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/index.ts';
import { hashEmail } from '../../src/subscribers/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, openForm, postForm, type TestWebApp } from '../helpers/web-app.ts';

describe.each(databaseKinds)('preferences pages on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let url: string;

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
    const result = await web.subscribers.subscribe(
      { email: 'Lise.Meitner@Example.org', newsletterIds: ['adn'], profile: { name: 'Lise' } },
      { source: 'test', consentVersion: 'v-test' },
    );
    const id = result.subscriber?.id ?? 0;
    await web.subscribers.confirm(id, undefined, { source: 'test' });
    url = `/p/${web.tokens.sign({ purpose: 'preferences', subscriberId: id })}`;
  });

  const subscriptions = () =>
    queryRows<{ newsletter_id: string; status: string }>(
      database.handle.db,
      sql`SELECT newsletter_id, status FROM subscriptions ORDER BY newsletter_id`,
    );
  const profile = async () =>
    (
      await queryRows<{ name: string | null; locale: string; country: string | null }>(
        database.handle.db,
        sql`SELECT name, locale, country FROM subscribers`,
      )
    )[0];

  it('shows both newsletters, the profile and the data actions', async () => {
    const page = await web.app.inject({ url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="newsletter-adn" name="newsletters" value="adn" checked');
    expect(page.body).toContain(
      'id="newsletter-fil-de-marianne" name="newsletters" value="fil-de-marianne">',
    );
    expect(page.body).toContain('value="Lise"');
    expect(page.body).toContain(`${url}/data.json`);
    expect(page.body).toContain(`${url}/erase?lang=fr`);
    expect(page.body).toContain('noindex');
  });

  it('saves newsletters, profile and language; the saved page speaks the new language', async () => {
    const session = await openForm(web.app, url);
    const saved = await postForm(
      web.app,
      url,
      {
        newsletters: ['fil-de-marianne'],
        name: 'Lise M.',
        country: 'mx',
        language: 'en',
        career_stage: 'established',
      },
      session,
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('<html lang="en">');
    expect(saved.body).toContain('Your preferences have been saved.');
    expect(await subscriptions()).toEqual([
      { newsletter_id: 'adn', status: 'unsubscribed' },
      { newsletter_id: 'fil-de-marianne', status: 'active' },
    ]);
    expect(await profile()).toEqual({ name: 'Lise M.', locale: 'en', country: 'MX' });
  });

  it('keeps the input and shows the error next to the field on a bad value', async () => {
    const session = await openForm(web.app, url);
    const page = await postForm(
      web.app,
      url,
      { newsletters: ['adn'], country: 'QQ', name: 'X' },
      session,
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('id="country-error"');
    expect(page.body).toContain('value="X"');
    expect((await profile())?.name).toBe('Lise');
  });

  it('unsubscribes from one newsletter or all, with CSRF', async () => {
    await web.subscribers.updatePreferences(
      1,
      { newsletters: { 'fil-de-marianne': true } },
      { source: 'test' },
    );
    expect((await postForm(web.app, `${url}/unsubscribe`, { newsletter: 'adn' })).statusCode).toBe(
      403,
    );
    const session = await openForm(web.app, url);
    const one = await postForm(web.app, `${url}/unsubscribe`, { newsletter: 'adn' }, session);
    expect(one.statusCode).toBe(200);
    expect(await subscriptions()).toEqual([
      { newsletter_id: 'adn', status: 'unsubscribed' },
      { newsletter_id: 'fil-de-marianne', status: 'active' },
    ]);
    await postForm(web.app, `${url}/unsubscribe`, { newsletter: 'all' }, session);
    expect((await subscriptions()).map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
  });

  it('downloads every datum held as JSON', async () => {
    const response = await web.app.inject({ url: `${url}/data.json` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers['content-disposition']).toContain('attachment');
    const data = JSON.parse(response.body) as Record<string, unknown>;
    expect(JSON.stringify(data)).toContain('Lise.Meitner@example.org');
    expect(JSON.stringify(data)).toContain('v-test');
  });

  it('erases only after the confirmation step, then the link is gone (410)', async () => {
    const confirmPage = await web.app.inject({ url: `${url}/erase` });
    expect(confirmPage.statusCode).toBe(200);
    expect(confirmPage.body).toContain('name="confirm"');
    const session = await openForm(web.app, `${url}/erase`);
    expect((await postForm(web.app, `${url}/erase`, { confirm: 'yes' })).statusCode).toBe(403);
    const unticked = await postForm(web.app, `${url}/erase`, {}, session);
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('id="confirm-error"');
    expect(await profile()).toBeDefined();
    const erased = await postForm(web.app, `${url}/erase`, { confirm: 'yes' }, session);
    expect(erased.statusCode).toBe(200);
    expect(await profile()).toBeUndefined();
    const suppressed = await queryRows<{ reason: string }>(
      database.handle.db,
      sql`SELECT reason FROM suppressions WHERE email_hash = ${hashEmail('Lise.Meitner@example.org')}`,
    );
    expect(suppressed).toEqual([{ reason: 'erased' }]);
    expect((await web.app.inject({ url })).statusCode).toBe(410);
    expect((await web.app.inject({ url: `${url}/data.json` })).statusCode).toBe(410);
  });

  it('answers 404 for an unknown page under a valid link', async () => {
    expect((await web.app.inject({ url: `${url}/nothing` })).statusCode).toBe(404);
  });
});
