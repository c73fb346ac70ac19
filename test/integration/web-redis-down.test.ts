import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildSubscriberService } from '../../src/app/subscriber-stores.ts';
import { createWebDeps } from '../../src/app/web-deps.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import {
  closeRedisConnection,
  createRequestRedisConnection,
  openTransactionalQueue,
} from '../../src/queue/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { buildApp } from '../../src/web/index.ts';
import { openTestPglite, type TestDatabase } from '../helpers/databases.ts';
import { openForm, postForm, testNewsletters } from '../helpers/web-app.ts';

/**
 * The pages with Redis unreachable, wired as `depeche serve` wires them: rate limits and the
 * confirmation queue on the request connection. A subscribe answers an error page; it never hangs.
 */
describe('subscribe with Redis down', () => {
  let database: TestDatabase;
  // nothing listens on port 1
  const redis = createRequestRedisConnection('redis://127.0.0.1:1', 'depeche-web-test', 2000);
  redis.on('error', () => undefined);
  const queue = openTransactionalQueue(redis, {
    QUEUE_PREFIX: '{t-redis-down}',
    SEND_ATTEMPTS: 1,
    SEND_RETRY_DELAY_MS: 1000,
  });
  queue.on('error', () => undefined);

  beforeAll(async () => {
    database = await openTestPglite();
  });
  afterAll(async () => {
    await queue.close().catch(() => undefined);
    await closeRedisConnection(redis);
    await database.drop();
  });

  it('answers the form with a plain error page, the rest of the site still serving', async () => {
    const logger = createSilentLogger();
    const app = await buildApp(
      createWebDeps({
        db: database.handle.db,
        subscribers: buildSubscriberService({
          db: database.handle.db,
          clock: systemClock,
          logger,
        }),
        tokens: createTokenSigner({
          keyId: 't1',
          secret: 'test-secret-key-of-at-least-32-characters',
        }),
        transactionalQueue: queue,
        newsletters: testNewsletters,
        publicUrl: 'http://localhost:3000',
        clock: systemClock,
        logger,
        redis,
        rateLimits: { perIpPerMinute: 10, perAddressPerHour: 5 },
      }),
    );
    try {
      const session = await openForm(app, '/subscribe');
      const response = await postForm(
        app,
        '/subscribe',
        { email: 'marie.curie@example.org', newsletters: ['adn'], consent: 'yes', website: '' },
        session,
      );
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).not.toMatch(/ECONNREFUSED|redis|127\.0\.0\.1:1/i);
      expect((await app.inject({ url: '/privacy' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
