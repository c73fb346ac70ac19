import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { queryRows } from '../../src/db/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, openForm, postForm, type TestWebApp } from '../helpers/web-app.ts';

describe.each(databaseKinds)('token pages on $name', ({ open }) => {
  let database: TestDatabase;
  let web: TestWebApp;
  let subscriberId: number;

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
      {
        email: 'ada@example.org',
        newsletterIds: ['adn', 'fil-de-marianne'],
        profile: { locale: 'en' },
      },
      { source: 'test' },
    );
    subscriberId = result.subscriber?.id ?? 0;
  });

  const statusOf = async (newsletterId: string) =>
    (
      await queryRows<{ status: string }>(
        database.handle.db,
        sql`SELECT status FROM subscriptions WHERE newsletter_id = ${newsletterId}`,
      )
    )[0]?.status;
  const eventCount = async (kind: string) =>
    (
      await queryRows<{ n: number }>(
        database.handle.db,
        sql`SELECT count(*)::int AS n FROM consent_events WHERE kind = ${kind}`,
      )
    )[0]?.n;
  const sign = (purpose: 'confirm' | 'unsubscribe' | 'preferences', extra = {}) =>
    web.tokens.sign({ purpose, subscriberId, ...extra });
  const oneClick = (url: string, contentType = 'application/x-www-form-urlencoded') =>
    web.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType },
      payload:
        contentType === 'application/x-www-form-urlencoded'
          ? 'List-Unsubscribe=One-Click'
          : '--xx\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xx--\r\n',
    });

  it('confirms only on the POST of the confirmation page, in the subscriber language', async () => {
    const url = `/c/${sign('confirm')}`;
    const page = await web.app.inject({ url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(page.headers['x-robots-tag'] ?? page.body).toContain('noindex');
    expect(await statusOf('adn')).toBe('pending');
    const session = await openForm(web.app, url);
    const done = await postForm(web.app, url, {}, session);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('/p/');
    expect(await statusOf('adn')).toBe('active');
    expect(await statusOf('fil-de-marianne')).toBe('active');
    expect(await eventCount('confirm')).toBe(2);
  });

  it('refuses forged, expired and other-purpose tokens with a plain page, changing nothing', async () => {
    const expired = web.tokens.sign(
      { purpose: 'confirm', subscriberId },
      { expiresAt: new Date(Date.now() - 1000) },
    );
    const forged = createTokenSigner({
      keyId: 't1',
      secret: 'another-secret-of-at-least-32-chars!!',
    }).sign({
      purpose: 'unsubscribe',
      subscriberId,
    });
    const cases: Array<[string, number]> = [
      [`/c/${expired}`, 410],
      [`/c/${sign('unsubscribe')}`, 400],
      [`/c/not-a-token`, 400],
      [`/u/${forged}`, 400],
      [`/u/${sign('preferences')}`, 400],
      [`/p/${sign('unsubscribe')}`, 400],
      [`/p/${sign('preferences').slice(0, -2)}xx`, 400],
    ];
    for (const [url, status] of cases) {
      const page = await web.app.inject({ url });
      expect(page.statusCode, url).toBe(status);
      expect(page.body).not.toContain('name="_csrf"');
    }
    const expiredUnsubscribe = web.tokens.sign(
      { purpose: 'unsubscribe', subscriberId },
      { expiresAt: new Date(Date.now() - 1000) },
    );
    const oneClickCases: Array<[string, number]> = [
      [`/u/${forged}`, 400],
      [`/u/${expiredUnsubscribe}`, 410],
      [`/u/${sign('preferences')}`, 400],
      [`/u/${sign('confirm')}`, 400],
      ['/u/garbage', 400],
    ];
    for (const [url, status] of oneClickCases) {
      expect((await oneClick(url)).statusCode, url).toBe(status);
    }
    expect(await statusOf('adn')).toBe('pending');
    expect(await eventCount('unsubscribe')).toBe(0);
    expect(await eventCount('confirm')).toBe(0);
  });

  it('never unsubscribes on a GET of the unsubscribe link', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    const url = `/u/${sign('unsubscribe', { newsletterId: 'adn' })}`;
    for (let i = 0; i < 3; i += 1) {
      const page = await web.app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('AdN');
      expect(page.body.match(/<button/g)).toHaveLength(1);
    }
    expect(await statusOf('adn')).toBe('active');
  });

  it('answers repeated one-click POSTs with 200 and records one consent event', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    const url = `/u/${sign('unsubscribe', { newsletterId: 'adn' })}`;
    for (let i = 0; i < 3; i += 1) {
      const response = await oneClick(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect((await oneClick(url, 'multipart/form-data; boundary=xx')).statusCode).toBe(200);
    expect(await statusOf('adn')).toBe('unsubscribed');
    expect(await statusOf('fil-de-marianne')).toBe('active');
    expect(await eventCount('unsubscribe')).toBe(1);
  });

  it('records one consent event when one-click POSTs for the same link race', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    const url = `/u/${sign('unsubscribe')}`;
    const responses = await Promise.all(Array.from({ length: 8 }, () => oneClick(url)));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(8).fill(200));
    expect(await statusOf('adn')).toBe('unsubscribed');
    expect(await statusOf('fil-de-marianne')).toBe('unsubscribed');
    expect(await eventCount('unsubscribe')).toBe(2);
    const events = await queryRows<{ source: string; ip: string | null; newsletter_id: string }>(
      database.handle.db,
      sql`SELECT source, ip, newsletter_id FROM consent_events WHERE kind = 'unsubscribe'
          ORDER BY newsletter_id`,
    );
    expect(events).toEqual([
      { source: 'one-click', ip: '127.0.0.1', newsletter_id: 'adn' },
      { source: 'one-click', ip: '127.0.0.1', newsletter_id: 'fil-de-marianne' },
    ]);
  });

  it('answers a one-click POST for an erased subscriber with 200 and records nothing', async () => {
    await web.subscribers.erase(subscriberId, { source: 'test' });
    const before = await eventCount('unsubscribe');
    const response = await oneClick(`/u/${sign('unsubscribe', { newsletterId: 'adn' })}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('OK\n');
    expect(await eventCount('unsubscribe')).toBe(before);
    // the page of the same link, which would show the subscriber, is gone
    expect((await web.app.inject({ url: `/u/${sign('unsubscribe')}` })).statusCode).toBe(410);
  });

  it('refuses every form POST without its CSRF token (403), changing nothing', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    const preferences = `/p/${sign('preferences')}`;
    const posts: Array<[string, Record<string, string>]> = [
      ['/subscribe', { email: 'eve@example.org', newsletters: 'adn', consent: 'yes' }],
      [`/c/${sign('confirm')}`, {}],
      [preferences, { newsletters: 'adn', language: 'fr' }],
      [`${preferences}/unsubscribe`, { newsletter: 'all' }],
      [`${preferences}/erase`, { confirm: 'yes' }],
      [`/u/${sign('unsubscribe')}`, { lang: 'fr' }],
    ];
    const session = await openForm(web.app, preferences);
    for (const [url, fields] of posts) {
      expect((await postForm(web.app, url, fields)).statusCode, url).toBe(403);
      // a token from another visitor's page does not fit this visitor's cookie
      const foreign = await postForm(web.app, url, fields, { cookie: {}, csrf: session.csrf });
      expect(foreign.statusCode, url).toBe(403);
    }
    expect(await statusOf('adn')).toBe('active');
    expect(await statusOf('fil-de-marianne')).toBe('active');
    expect(await eventCount('unsubscribe')).toBe(0);
    expect(await eventCount('erase')).toBe(0);
    const subscribers = await queryRows<{ n: number }>(
      database.handle.db,
      sql`SELECT count(*)::int AS n FROM subscribers`,
    );
    expect(subscribers[0]?.n).toBe(1);
  });

  it('unsubscribes from every newsletter with a one-click token naming none', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    expect(
      (await oneClick(`/u/${sign('unsubscribe')}`, 'multipart/form-data; boundary=xx')).statusCode,
    ).toBe(200);
    expect(await statusOf('adn')).toBe('unsubscribed');
    expect(await statusOf('fil-de-marianne')).toBe('unsubscribed');
  });

  it('requires the CSRF token for the button of the unsubscribe page', async () => {
    await web.subscribers.confirm(subscriberId, undefined, { source: 'test' });
    const url = `/u/${sign('unsubscribe', { newsletterId: 'fil-de-marianne' })}`;
    expect((await postForm(web.app, url, { lang: 'fr' })).statusCode).toBe(403);
    expect(await statusOf('fil-de-marianne')).toBe('active');
    const session = await openForm(web.app, url);
    const done = await postForm(web.app, url, { lang: 'fr' }, session);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Le fil de Marianne');
    expect(await statusOf('fil-de-marianne')).toBe('unsubscribed');
    expect(await statusOf('adn')).toBe('active');
  });
});
