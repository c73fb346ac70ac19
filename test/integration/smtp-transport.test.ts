import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/index.ts';
import { createLogger, createSilentLogger } from '../../src/lib/index.ts';
import {
  classifySmtpError,
  createSmtpTransport,
  isConnectionError,
  type MailTransport,
  MessageUncertainError,
  smtpTransportOptionsFromConfig,
} from '../../src/mail/index.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const raw = Buffer.from(
  [
    'From: AdN <adn@example.org>',
    'To: reader@example.net',
    'Subject: test',
    'Message-ID: <c1.s1@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello.',
    '',
  ].join('\r\n'),
);
const message = {
  from: 'adn@example.org',
  to: 'reader@example.net',
  raw,
  messageId: 'c1.s1@example.org',
};

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the send to fail');
}

describe('SMTP transport against the sink', () => {
  const sinks: SmtpSink[] = [];
  const transports: MailTransport[] = [];
  async function sink(options: Parameters<typeof startSmtpSink>[0] = {}) {
    const started = await startSmtpSink(options);
    sinks.push(started);
    return started;
  }
  function transport(
    urls: string[],
    options: { socketTimeoutMs?: number; logger?: ReturnType<typeof createLogger> } = {},
  ) {
    const created = createSmtpTransport({
      urls,
      poolSize: 2,
      logger: createSilentLogger(),
      ...options,
    });
    transports.push(created);
    return created;
  }
  afterEach(async () => {
    for (const created of transports.splice(0)) await created.close?.();
    for (const started of sinks.splice(0)) await started.close();
  });

  it('submits the raw bytes unchanged with the given envelope', async () => {
    const target = await sink();
    const result = await transport([target.url]).send(message);
    expect(result).toMatchObject({ messageId: 'c1.s1@example.org', accepted: true });
    expect(result.response).toMatch(/^250/);
    expect(target.messages).toHaveLength(1);
    expect(target.messages[0]?.envelope).toEqual({
      mailFrom: 'adn@example.org',
      rcptTo: ['reader@example.net'],
    });
    expect(target.messages[0]?.raw.toString()).toContain('Hello.');
  });

  it('classifies a synchronous 550 5.1.1 as a hard bounce', async () => {
    const target = await sink({
      rejectRecipients: (rcpt) =>
        rcpt.startsWith('ghost') ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const error = await rejection(
      transport([target.url]).send({ ...message, to: 'ghost@example.net' }),
    );
    expect(classifySmtpError(error)).toEqual({
      kind: 'hard_bounce',
      code: 550,
      reply: expect.stringContaining('550 5.1.1 No such user'),
    });
    expect(target.rejected).toEqual(['ghost@example.net']);
  });

  it('classifies other 5xx replies as permanent', async () => {
    const target = await sink({
      rejectRecipients: () => ({ code: 552, message: '5.2.2 Mailbox full' }),
    });
    const error = await rejection(transport([target.url]).send(message));
    expect(classifySmtpError(error)).toMatchObject({ kind: 'permanent', code: 552 });
  });

  it('classifies a 451 after DATA as transient', async () => {
    const target = await sink({ failShare: 1 });
    const error = await rejection(transport([target.url]).send(message));
    expect(classifySmtpError(error)).toMatchObject({ kind: 'transient', code: 451 });
    expect(isConnectionError(error)).toBe(false);
    expect(target.failedCount()).toBe(1);
  });

  it('classifies a refused connection as transient', async () => {
    const port = await closedPort();
    const error = await rejection(transport([`smtp://127.0.0.1:${port}`]).send(message));
    expect(classifySmtpError(error)).toMatchObject({ kind: 'transient', code: null });
    expect(isConnectionError(error)).toBe(true);
  });

  it('answers 451 to the chosen share of messages, deterministically', async () => {
    const target = await sink({ failShare: 0.25 });
    const sender = transport([target.url]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => sender.send(message)),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(2);
    expect(target.messages).toHaveLength(6);
  });

  it('reports a message stored by the relay whose connection then dropped as uncertain', async () => {
    const target = await sink({ faults: { dropAfterStoreShare: 1 } });
    const error = await rejection(transport([target.url]).send(message));
    expect(error).toBeInstanceOf(MessageUncertainError);
    expect(classifySmtpError(error)).toMatchObject({
      kind: 'uncertain',
      code: null,
      reply: expect.stringMatching(/^message data sent, no final reply from the relay: E[A-Z]+/),
    });
    expect(isConnectionError(error)).toBe(false);
    expect(target.messages).toHaveLength(1);
  });

  it('reports a final reply later than the socket timeout as uncertain', async () => {
    const target = await sink({ faults: { slowReplyShare: 1, slowReplyMs: 3000 } });
    const error = await rejection(transport([target.url], { socketTimeoutMs: 300 }).send(message));
    expect(classifySmtpError(error)).toMatchObject({ kind: 'uncertain', code: null });
    expect(target.slowReplied).toHaveLength(1);
  });

  it('classifies a connection dropped before DATA as transient: nothing was handed over', async () => {
    const target = await sink({ faults: { dropBeforeDataShare: 1 } });
    const error = await rejection(transport([target.url]).send(message));
    expect(error).not.toBeInstanceOf(MessageUncertainError);
    expect(classifySmtpError(error)).toMatchObject({ kind: 'transient', code: null });
    expect(target.messages).toHaveLength(0);
    expect(target.droppedBeforeDataCount()).toBeGreaterThanOrEqual(1);
  });

  it('sends nothing through a relay that is down, and sends again once it is up', async () => {
    const target = await sink();
    const sender = transport([target.url]);
    await sender.send(message);
    await target.down();
    const error = await rejection(sender.send(message));
    expect(classifySmtpError(error)).toMatchObject({ kind: 'transient', code: null });
    await target.up();
    await sender.send(message);
    expect(target.messages).toHaveLength(2);
  });

  it('logs a relay going down once, and once when it answers again, not once per message', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line) => lines.push(line) },
    });
    const target = await sink();
    const sender = transport([target.url], { logger });
    await target.down();
    for (let i = 0; i < 6; i += 1) await rejection(sender.send(message));
    await target.up();
    for (let i = 0; i < 3; i += 1) await sender.send(message);
    const events = lines.map((line) => (JSON.parse(line) as { event?: string }).event);
    expect(events.filter((e) => e === 'smtp.relay.unreachable')).toHaveLength(1);
    expect(events.filter((e) => e === 'smtp.relay.reachable')).toHaveLength(1);
    expect(target.messages).toHaveLength(3);
  });

  it('tries the next relay when one refuses connections', async () => {
    const port = await closedPort();
    const target = await sink();
    const sender = transport([`smtp://127.0.0.1:${port}`, target.url]);
    await sender.send(message);
    await sender.send(message);
    expect(target.messages).toHaveLength(2);
  });

  it('does not switch relays on an SMTP reply', async () => {
    const first = await sink({ failShare: 1 });
    const second = await sink();
    const error = await rejection(transport([first.url, second.url]).send(message));
    expect(classifySmtpError(error).code).toBe(451);
    expect(second.messages).toHaveLength(0);
  });

  it('verifies the first relay that answers', async () => {
    const port = await closedPort();
    const target = await sink();
    await expect(
      transport([`smtp://127.0.0.1:${port}`, target.url]).verify?.(),
    ).resolves.toBeUndefined();
    await expect(transport([`smtp://127.0.0.1:${port}`]).verify?.()).rejects.toMatchObject({
      code: 'ESOCKET',
    });
  });
});

describe('smtpTransportOptionsFromConfig', () => {
  const logger = createSilentLogger();
  it('reads relays, pool size and the DKIM key from the configuration', () => {
    const config = loadConfig({
      SMTP_URL: 'smtp://relay-a.example.org:25, smtp://relay-b.example.org:587',
      SMTP_POOL_SIZE: '3',
      DKIM_DOMAIN: 'example.org',
      DKIM_SELECTOR: 's2026',
      DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
    });
    expect(smtpTransportOptionsFromConfig(config, logger)).toEqual({
      urls: ['smtp://relay-a.example.org:25', 'smtp://relay-b.example.org:587'],
      poolSize: 3,
      logger,
      dkim: {
        domain: 'example.org',
        selector: 's2026',
        privateKey: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
      },
    });
  });

  it('leaves DKIM out when it is not configured', () => {
    expect(smtpTransportOptionsFromConfig(loadConfig({}), logger).dkim).toBeUndefined();
  });
});
