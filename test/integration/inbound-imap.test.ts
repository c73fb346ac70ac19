import type { AddressInfo } from 'node:net';

import { sql } from 'drizzle-orm';
import hoodiecrow from 'hoodiecrow-imap';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { readMailboxFromConfig, verpFromConfig } from '../../src/app/build-bounces.ts';
import { imapTargetFromUrl, readMailboxOnce } from '../../src/bounces/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createSilentLogger, systemClock } from '../../src/lib/index.ts';
import {
  bounceFixture,
  bounceTestConfig,
  cleanBounceTables,
  seedDelivery,
} from '../helpers/bounce-fixtures.ts';
import { openTestPostgres, type TestDatabase } from '../helpers/databases.ts';

/** An IMAP server in memory (hoodiecrow) with `messages` in INBOX, on a free loopback port. */
async function startMailbox(messages: Buffer[]) {
  const server = hoodiecrow({
    plugins: ['ID', 'UIDPLUS', 'MOVE', 'ENABLE', 'UNSELECT'],
    storage: {
      INBOX: { messages: messages.map((raw) => ({ raw: raw.toString('latin1'), flags: [] })) },
      '': { separator: '/', folders: {} },
    },
    users: { bounces: { password: 'secret' } },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `imap://bounces:secret@127.0.0.1:${port}/INBOX`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Message counts of the mailbox's folders, read by a client of the test's own. */
async function countMessages(port: number, folders: string[]) {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'bounces', pass: 'secret' },
    logger: false,
  });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const folder of folders) {
      const status = await client.status(folder, { messages: true });
      counts[folder] = status ? (status.messages ?? -1) : -1;
    }
    return counts;
  } finally {
    await client.logout();
  }
}

describe('depeche inbound over IMAP: a mailbox of bounces (hoodiecrow, PostgreSQL)', () => {
  const base = bounceTestConfig();
  const verp = verpFromConfig(base)!;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestPostgres();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await cleanBounceTables(database.handle.db);
  });

  it('processes every message, moves it to the done folder, and finds nothing the second time', async () => {
    const first = await seedDelivery(database.handle.db, 'marie.dupont@univ.example.org');
    const second = await seedDelivery(database.handle.db, 'jean.martin@labo.example.org');
    const mailbox = await startMailbox([
      await bounceFixture('postfix-dsn.eml', { returnPath: verp.returnPathFor(first.deliveryId) }),
      await bounceFixture('exim-text.eml', { returnPath: verp.returnPathFor(second.deliveryId) }),
    ]);
    try {
      const config = loadConfig({ ...process.env, ...bounceEnv(), INBOUND_IMAP_URL: mailbox.url });
      const read = await readMailboxFromConfig({
        config,
        database: database.handle,
        logger: createSilentLogger(),
        clock: systemClock,
      });
      expect(read).toEqual({ processed: 2, failed: 0 });
      const suppressed = await queryRows<{ email: string; reason: string }>(
        database.handle.db,
        sql`SELECT s.email, x.reason FROM suppressions x
            JOIN subscribers s ON s.email_hash = x.email_hash ORDER BY s.email`,
      );
      expect(suppressed.map((row) => `${row.email} ${row.reason}`)).toEqual([
        'jean.martin@labo.example.org hard_bounce',
        'marie.dupont@univ.example.org hard_bounce',
      ]);
      const sources = await queryRows<{ source: string }>(
        database.handle.db,
        sql`SELECT DISTINCT source FROM bounce_events`,
      );
      expect(sources).toEqual([{ source: 'imap' }]);
      // Moved, never deleted: the done folder was created and holds both.
      expect(await countMessages(mailbox.port, ['INBOX', 'Processed'])).toEqual({
        INBOX: 0,
        Processed: 2,
      });
      const again = await readMailboxFromConfig({
        config,
        database: database.handle,
        logger: createSilentLogger(),
        clock: systemClock,
      });
      expect(again).toEqual({ processed: 0, failed: 0 });
    } finally {
      await mailbox.close();
    }
  });

  it('leaves a message whose processing fails where it was, for the next read', async () => {
    const mailbox = await startMailbox([
      await bounceFixture('postfix-dsn.eml'),
      await bounceFixture('gmail-dsn.eml'),
    ]);
    try {
      let calls = 0;
      const read = await readMailboxOnce({
        target: imapTargetFromUrl(mailbox.url, 'Processed'),
        // The first message fails as a database away would make it fail.
        process: async () => {
          calls += 1;
          if (calls === 1) throw new Error('database unavailable');
        },
        logger: createSilentLogger(),
      });
      expect(read).toEqual({ processed: 1, failed: 1 });
      expect(await countMessages(mailbox.port, ['INBOX', 'Processed'])).toEqual({
        INBOX: 1,
        Processed: 1,
      });
    } finally {
      await mailbox.close();
    }
  });

  it('refuses a wrong password, and a bad INBOUND_IMAP_URL by name', async () => {
    const mailbox = await startMailbox([]);
    try {
      const target = imapTargetFromUrl(mailbox.url.replace('secret', 'wrong'), 'Processed');
      await expect(
        readMailboxOnce({ target, process: async () => undefined, logger: createSilentLogger() }),
      ).rejects.toThrow();
    } finally {
      await mailbox.close();
    }
    for (const url of ['http://host/INBOX', 'imaps://imap.example.org/INBOX', 'not a url']) {
      expect(() => loadConfig({ INBOUND_IMAP_URL: url })).toThrow(
        /^Configuration: INBOUND_IMAP_URL /,
      );
    }
    expect(imapTargetFromUrl('imaps://b%40x:p%2Fw@imap.example.org/Bounces', 'Done')).toEqual({
      host: 'imap.example.org',
      port: 993,
      isSecure: true,
      user: 'b@x',
      password: 'p/w',
      folder: 'Bounces',
      doneFolder: 'Done',
    });
  });
});

/** The bounce test configuration as environment variables. */
function bounceEnv(): Record<string, string> {
  return {
    DEPECHE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789-abcdefghijkl',
    BOUNCE_ADDRESS: 'bounces@news.example.org',
    UNSUBSCRIBE_MAILTO: 'unsubscribe@news.example.org',
    LOG_LEVEL: 'silent',
  };
}
