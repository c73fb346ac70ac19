import { ImapFlow } from 'imapflow';

import type { Logger } from '../lib/index.ts';

/** Where a mailbox is and how to reach it: INBOUND_IMAP_URL, read. */
export interface ImapMailboxTarget {
  host: string;
  port: number;
  isSecure: boolean;
  user: string;
  password: string;
  /** Folder the bounces land in. */
  folder: string;
  /** Folder a processed message is moved to. */
  doneFolder: string;
}

/** Reads INBOUND_IMAP_URL (`imaps://user:password@host:port/FOLDER`). */
export function imapTargetFromUrl(url: string, doneFolder: string): ImapMailboxTarget {
  const parsed = new URL(url);
  const isSecure = parsed.protocol === 'imaps:';
  const folder = decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX';
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? (isSecure ? 993 : 143) : Number(parsed.port),
    isSecure,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    folder,
    doneFolder,
  };
}

/** Messages fetched, processed and moved at a time. */
const CHUNK = 100;

/** What one read of the mailbox did. */
export interface MailboxReadResult {
  /** Messages processed and moved to the done folder. */
  processed: number;
  /** Messages whose processing failed: left where they were, tried again next time. */
  failed: number;
}

/**
 * Reads every message of the bounce folder once (imapflow): each is handed to `process`; those
 * processed are moved to the done folder (created when missing), never deleted; one whose
 * processing fails stays in place and is tried again at the next read. A message moved by
 * another reader meanwhile is simply not found again.
 */
export async function readMailboxOnce(options: {
  target: ImapMailboxTarget;
  process: (raw: Buffer) => Promise<void>;
  logger: Logger;
  /** Largest message read, in bytes; a larger one is processed from its first bytes. */
  maxBytes?: number;
}): Promise<MailboxReadResult> {
  const { target } = options;
  const log = options.logger.child({ component: 'inbound-imap' });
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.isSecure,
    // A plain imap:// connection stays plain (a trusted network, or a test server).
    doSTARTTLS: target.isSecure ? undefined : false,
    auth: { user: target.user, pass: target.password },
    logger: false,
    emitLogs: false,
  });
  client.on('error', (error: unknown) => log.warn({ err: error }, 'IMAP connection error'));
  const result: MailboxReadResult = { processed: 0, failed: 0 };
  await client.connect();
  try {
    const folders = await client.list();
    if (!folders.some((folder) => folder.path === target.doneFolder)) {
      await client.mailboxCreate(target.doneFolder);
    }
    const lock = await client.getMailboxLock(target.folder);
    try {
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      // In chunks: a mailbox of thousands of bounces is never held in memory at once, and each
      // chunk is moved out as soon as it is processed.
      for (let start = 0; start < uids.length; start += CHUNK) {
        const chunk = uids.slice(start, start + CHUNK);
        // Fetched first, processed after: no command can be sent while a FETCH streams.
        const messages: Array<{ uid: number; source: Buffer }> = [];
        for await (const message of client.fetch(
          chunk.join(','),
          { uid: true, source: true },
          { uid: true },
        )) {
          if (message.source) messages.push({ uid: message.uid, source: message.source });
        }
        const done: number[] = [];
        for (const message of messages) {
          const raw =
            options.maxBytes !== undefined && message.source.length > options.maxBytes
              ? message.source.subarray(0, options.maxBytes)
              : message.source;
          try {
            await options.process(raw);
            done.push(message.uid);
            result.processed += 1;
          } catch (error) {
            result.failed += 1;
            log.error(
              { err: error, uid: message.uid, event: 'bounces.imap.failed' },
              'mailbox message not processed; left in place',
            );
          }
        }
        if (done.length > 0) {
          await client.messageMove(done.join(','), target.doneFolder, { uid: true });
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  if (result.processed + result.failed > 0) {
    log.info({ ...result, event: 'bounces.imap.read' }, 'mailbox read');
  }
  return result;
}

/**
 * Reads the mailbox every `intervalSec` (the first time at once), never two reads at once; a
 * read that fails (server away, wrong password) is logged and retried at the next interval.
 */
export function startMailboxPolling(options: {
  target: ImapMailboxTarget;
  intervalSec: number;
  process: (raw: Buffer) => Promise<void>;
  logger: Logger;
  maxBytes?: number;
}): { close(): Promise<void> } {
  const log = options.logger.child({ component: 'inbound-imap' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let isClosed = false;
  const tick = () => {
    running = readMailboxOnce(options)
      .then(() => undefined)
      .catch((error: unknown) =>
        log.warn({ err: error, host: options.target.host }, 'mailbox read failed; retried later'),
      )
      .finally(() => {
        running = undefined;
        if (!isClosed) timer = setTimeout(tick, options.intervalSec * 1000);
      });
  };
  tick();
  return {
    async close() {
      isClosed = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
