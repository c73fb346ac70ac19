import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { buildTestWebApp, type TestWebApp } from '../helpers/web-app.ts';

/** Security headers on every kind of answer of the pages, and what a dead database gives. */
describe('security headers of the pages', () => {
  let database: TestDatabase;
  let web: TestWebApp;

  beforeAll(async () => {
    database = await openTestPglite();
    web = await buildTestWebApp({ database: database.handle });
  });
  afterAll(async () => {
    await web.app.close();
    await database.drop();
  });

  const expectPageHeaders = (headers: Record<string, unknown>) => {
    expect(headers['content-security-policy']).toContain("script-src 'none'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
  };

  it.each([
    ['a redirect', 'GET', '/', 302],
    ['the stylesheet', 'GET', '/assets/style.css', 200],
    ['an unknown page', 'GET', '/nowhere', 404],
    ['an unknown newsletter of the archive', 'GET', '/archive/nope', 404],
    ['a forged token', 'GET', '/u/forged.token.value', 400],
    ['a POST without its CSRF token', 'POST', '/subscribe', 403],
  ])('are set on %s', async (_what, method, url, status) => {
    const response = await web.app.inject({
      method: method as 'GET' | 'POST',
      url,
      ...(method === 'POST'
        ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x=1' }
        : {}),
    });
    expect(response.statusCode).toBe(status);
    expectPageHeaders(response.headers);
  });

  it('are set on the one-click answer', async () => {
    const token = web.tokens.sign({
      purpose: 'unsubscribe',
      subscriberId: 999,
      newsletterId: 'adn',
    });
    const response = await web.app.inject({
      method: 'POST',
      url: `/u/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(response.statusCode).toBe(200);
    expectPageHeaders(response.headers);
  });

  it('answers a plain 500 page with the headers when the database is gone, revealing nothing', async () => {
    const down = await openTestPglite();
    const broken = await buildTestWebApp({ database: down.handle });
    await down.drop();
    try {
      const token = broken.tokens.sign({
        purpose: 'unsubscribe',
        subscriberId: 1,
        newsletterId: 'adn',
      });
      const response = await broken.app.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(response.statusCode).toBe(500);
      expectPageHeaders(response.headers);
      expect(response.body).not.toMatch(/pglite|closed|\n\s+at /i);
      const archive = await broken.app.inject({ url: '/archive/adn?q=evenement' });
      expect(archive.statusCode).toBe(500);
    } finally {
      await broken.app.close();
    }
  });
});
