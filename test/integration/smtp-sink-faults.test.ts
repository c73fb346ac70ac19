import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';

import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../helpers/smtp-sink.ts';

/** The fault-injecting SMTP sink, driven by a plain (unpooled) nodemailer client. */
describe('SMTP sink faults', () => {
  const sinks: SmtpSink[] = [];
  async function sink(options: SmtpSinkOptions) {
    const started = await startSmtpSink(options);
    sinks.push(started);
    return started;
  }
  afterEach(async () => {
    for (const started of sinks.splice(0)) await started.close();
  });

  /** Sends one message per recipient, one connection each; the outcome of each. */
  async function sendEach(target: SmtpSink, recipients: string[], socketTimeout = 10_000) {
    const client = nodemailer.createTransport({
      url: target.url,
      socketTimeout,
      logger: false,
    });
    const outcomes = [];
    for (const to of recipients) {
      try {
        await client.sendMail({
          envelope: { from: 'adn@example.org', to: [to] },
          raw: `To: ${to}\r\n\r\nHi\r\n`,
        });
        outcomes.push({ to, ok: true as const });
      } catch (error) {
        outcomes.push({ to, ok: false as const, code: (error as { code?: string }).code });
      }
    }
    client.close();
    return outcomes;
  }
  const recipients = (n: number) => Array.from({ length: n }, (_, i) => `r${i + 1}@example.org`);

  it('stores every 4th message and drops its connection without answering', async () => {
    const target = await sink({ faults: { dropAfterStoreShare: 0.25 } });
    const outcomes = await sendEach(target, recipients(8));
    expect(outcomes.filter((o) => !o.ok).map((o) => o.to)).toEqual([
      'r4@example.org',
      'r8@example.org',
    ]);
    expect(target.messages).toHaveLength(8);
    expect(target.droppedAfterStore.map((m) => m.envelope.rcptTo[0])).toEqual([
      'r4@example.org',
      'r8@example.org',
    ]);
  });

  it('drops the connection before DATA for the chosen share, storing nothing of it', async () => {
    const target = await sink({ faults: { dropBeforeDataShare: 0.5 } });
    const outcomes = await sendEach(target, recipients(4));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(target.messages.map((m) => m.envelope.rcptTo[0])).toEqual([
      'r1@example.org',
      'r3@example.org',
    ]);
    expect(target.droppedBeforeDataCount()).toBe(2);
  });

  it('stores a slow message at once and answers it after slowReplyMs', async () => {
    const target = await sink({ faults: { slowReplyShare: 0.5, slowReplyMs: 3000 } });
    const outcomes = await sendEach(target, recipients(2), 300);
    expect(outcomes).toEqual([
      { to: 'r1@example.org', ok: true },
      { to: 'r2@example.org', ok: false, code: 'ETIMEDOUT' },
    ]);
    expect(target.messages).toHaveLength(2);
    expect(target.slowReplied.map((m) => m.envelope.rcptTo[0])).toEqual(['r2@example.org']);
  });

  it('goes down (connections refused) and comes back up on the same port', async () => {
    const target = await sink({});
    const port = target.port;
    await target.down();
    const refused = await sendEach(target, recipients(1));
    expect(refused).toEqual([{ to: 'r1@example.org', ok: false, code: 'ESOCKET' }]);
    await target.up();
    expect(target.port).toBe(port);
    const sent = await sendEach(target, recipients(1));
    expect(sent).toEqual([{ to: 'r1@example.org', ok: true }]);
    expect(target.messages).toHaveLength(1);
  });

  it('keeps its plain behaviour without faults, and reset restarts the fault counters', async () => {
    const target = await sink({ faults: { dropAfterStoreShare: 0.5 } });
    await sendEach(target, recipients(1));
    expect(target.droppedAfterStore).toHaveLength(0);
    target.reset();
    const outcomes = await sendEach(target, recipients(2));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
  });
});
