import { describe, expect, it, vi } from 'vitest';

import type {
  Campaign,
  CampaignStatus,
  ClaimedRecipient,
  DeliveryOutcome,
  DeliveryStatus,
  StoreHandle,
} from '../campaigns/index.ts';
import { createSilentLogger, fixedClock } from '../lib/index.ts';
import { buildMessageTemplate, MessageUncertainError } from '../mail/index.ts';
import { type BatchSenderDeps, createBatchSender } from './batch-sender.ts';

const template = buildMessageTemplate(
  { subject: 'AdN', html: '<p>%%greeting%%</p>', text: '%%greeting%%' },
  { id: 'adn', title: 'AdN', sender: { name: 'AdN', email: 'adn@example.org' } },
);

function setup(options: {
  status?: CampaignStatus;
  recipients?: number;
  send?: (to: string) => Promise<void>;
  abandoned?: number;
  /** The database answers this many writes, then every later one fails. */
  writesBeforeFailure?: number;
  rateLimiter?: BatchSenderDeps['rateLimiter'];
  maxInFlight?: number;
  /** The stored body of this language cannot be encoded. */
  brokenLocale?: 'fr' | 'en';
  /** Rows per batch number (the i-th recipient is in batch floor(i / batchSize)); all in batch 0 by default. */
  batchSize?: number;
  maxSendingBatches?: number;
}) {
  let status: CampaignStatus = options.status ?? 'sending';
  const campaign = { id: 1, status, newsletterId: 'adn', issueKey: 'adn/2026-11' } as Campaign;
  const recipients: ClaimedRecipient[] = Array.from(
    { length: options.recipients ?? 5 },
    (_, i) => ({
      deliveryId: i + 1,
      subscriberId: i + 1,
      email: `user${i + 1}@example.org`,
      name: null,
      locale: 'fr' as const,
    }),
  );
  /** The delivery rows' statuses, as the database would hold them. */
  const rows = new Map<number, DeliveryStatus>(recipients.map((r) => [r.deliveryId, 'queued']));
  const recorded: DeliveryOutcome[] = [];
  const counts = { sentCount: 0, failedCount: 0 };
  const suppress = vi.fn(async () => undefined);
  const sent: string[] = [];
  const writes: Array<{ outcomes: number; claims: number }> = [];
  /** Rows `sending` each time a message reached the transport. */
  const sendingAtSend: number[] = [];
  const totals = () => ({ status, ...counts });
  const deps: BatchSenderDeps = {
    db: {} as StoreHandle,
    campaigns: {
      findById: async () => ({ ...campaign, status, ...counts }),
      applyTransition: async (_db, _id, transition) => {
        status = transition.to;
        return { ...campaign, status };
      },
      completeIfFinished: async () => false,
    },
    deliveries: {
      markAbandonedUncertain: async () => options.abandoned ?? 0,
      loadBatch: async (_db, job) => ({
        recipients: recipients.filter(
          (r, i) =>
            rows.get(r.deliveryId) === 'queued' &&
            (options.batchSize === undefined || Math.floor(i / options.batchSize) === job.batchNo),
        ),
        skippedCount: 0,
      }),
      writeProgress: async (_db, input) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (
          options.writesBeforeFailure !== undefined &&
          writes.length >= options.writesBeforeFailure
        ) {
          throw new Error('connection terminated');
        }
        writes.push({ outcomes: input.outcomes.length, claims: input.claims.length });
        for (const outcome of input.outcomes) {
          const current = rows.get(outcome.deliveryId);
          if (current !== 'sending' && current !== 'uncertain') continue;
          rows.set(outcome.deliveryId, outcome.status);
          recorded.push(outcome);
          if (outcome.status === 'sent') counts.sentCount += 1;
          if (outcome.status === 'failed') counts.failedCount += 1;
        }
        const claimed = new Set<number>();
        for (const { deliveryId } of input.claims) {
          if (rows.get(deliveryId) !== 'queued' || status !== 'sending') continue;
          rows.set(deliveryId, 'sending');
          claimed.add(deliveryId);
        }
        return { claimed, campaigns: new Map([[1, totals()]]) };
      },
    },
    messages: {
      templateFor: async (_campaign, locale) => {
        if (locale === options.brokenLocale) throw new Error(`no ${locale} body`);
        return template;
      },
    },
    links: () => ({
      unsubscribeUrl: 'https://x/u/t',
      preferencesUrl: 'https://x/p/t',
      viewOnlineUrl: 'https://x/a',
    }),
    greetingFor: () => 'Bonjour,',
    suppress,
    transport: {
      name: 'fake',
      send: async (message) => {
        sendingAtSend.push([...rows.values()].filter((s) => s === 'sending').length);
        await options.send?.(message.to);
        sent.push(message.to);
        return { messageId: 'm', response: '250 ok', accepted: true };
      },
    },
    rateLimiter: options.rateLimiter ?? { acquire: async (n) => n },
    logger: createSilentLogger(),
    clock: fixedClock('2026-11-05T08:00:00Z'),
    options: {
      maxErrorRate: 0.5,
      minErrorSample: 4,
      maxInFlight: options.maxInFlight ?? 2,
      ...(options.maxSendingBatches === undefined
        ? {}
        : { maxSendingBatches: options.maxSendingBatches }),
    },
  };
  return {
    sender: createBatchSender(deps),
    rows,
    recorded,
    sent,
    suppress,
    writes,
    sendingAtSend,
    getStatus: () => status,
    setStatus: (next: CampaignStatus) => {
      status = next;
    },
  };
}

const smtpError = (code: number, text: string) =>
  Object.assign(new Error(text), { responseCode: code, response: `${code} ${text}` });

describe('createBatchSender', () => {
  it('sends nothing for a paused campaign and leaves its rows queued', async () => {
    const { sender, sent, recorded } = setup({ status: 'paused' });
    const result = await sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    expect(result.outcome).toBe('not-sendable');
    expect(sent).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('one refused recipient never stops the others; a 5.1.1 suppresses the address', async () => {
    const { sender, sent, recorded, suppress } = setup({
      send: async (to) => {
        if (to === 'user2@example.org') throw smtpError(550, '5.1.1 No such user');
      },
    });
    const result = await sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    expect(result).toMatchObject({ outcome: 'sent', sent: 4, failed: 1, released: 0 });
    expect(sent).toHaveLength(4);
    expect(recorded.find((o) => o.deliveryId === 2)).toMatchObject({
      status: 'failed',
      smtpResponse: '550 5.1.1 No such user',
    });
    expect(suppress).toHaveBeenCalledWith('user2@example.org', '550 5.1.1 No such user');
  });

  it('gives transiently failed rows back and asks for a retry, or fails them on the last attempt', async () => {
    const failing = async (to: string) => {
      if (to === 'user3@example.org') throw smtpError(451, '4.3.0 Try again later');
    };
    const first = setup({ send: failing });
    const retry = await first.sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    expect(retry).toMatchObject({ outcome: 'retry', sent: 4, released: 1 });
    expect(first.recorded.find((o) => o.deliveryId === 3)?.status).toBe('queued');

    const last = setup({ send: failing });
    const final = await last.sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 8, isLastAttempt: true },
    );
    expect(final).toMatchObject({ outcome: 'sent', failed: 1 });
    expect(last.recorded.find((o) => o.deliveryId === 3)?.smtpResponse).toMatch(
      /^gave up after 8 attempts: 451/,
    );
  });

  it('pauses the campaign past the error rate and says why', async () => {
    const { sender, getStatus } = setup({
      recipients: 6,
      send: async () => {
        throw smtpError(554, '5.7.1 Rejected');
      },
    });
    await sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false });
    expect(getStatus()).toBe('paused');
  });

  it('records a message handed over without a final reply as uncertain, never given back', async () => {
    const dropped = Object.assign(new Error('Connection closed unexpectedly'), {
      code: 'ECONNECTION',
      command: 'CONN',
    });
    const { sender, recorded, rows } = setup({
      send: async (to) => {
        if (to === 'user2@example.org') throw new MessageUncertainError(dropped);
      },
    });
    const result = await sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    expect(result).toMatchObject({ outcome: 'sent', sent: 4, uncertain: 1, released: 0 });
    expect(rows.get(2)).toBe('uncertain');
    expect(recorded.find((o) => o.deliveryId === 2)).toMatchObject({
      status: 'uncertain',
      smtpResponse:
        'message data sent, no final reply from the relay: ECONNECTION: Connection closed unexpectedly',
      messageId: expect.stringMatching(/@example\.org$/),
    });
  });

  it('reports rows of a dead attempt as uncertain', async () => {
    const { sender } = setup({ abandoned: 3, recipients: 0 });
    const result = await sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 2, isLastAttempt: false },
    );
    expect(result.uncertain).toBe(3);
  });

  it('never gives a sent message back to the queue when its outcome cannot be written', async () => {
    const { sender, rows, sent } = setup({ recipients: 6, writesBeforeFailure: 1 });
    await expect(
      sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false }),
    ).rejects.toThrow('connection terminated');
    // the first write claimed one row per lane; their outcomes could not be written: the rows
    // stay `sending` (the job's retry marks them uncertain), and nothing else was sent
    expect(sent).toHaveLength(2);
    expect([...rows.values()].filter((s) => s === 'sending')).toHaveLength(2);
    expect([...rows.values()].filter((s) => s === 'queued')).toHaveLength(4);
  });

  it('asks the rate limiter for tokens one request at a time, in groups', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const requests: number[] = [];
    const { sender, sent } = setup({
      recipients: 30,
      rateLimiter: {
        acquire: async (count) => {
          requests.push(count);
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight -= 1;
          return Math.min(count, 7);
        },
      },
    });
    await sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false });
    expect(sent).toHaveLength(30);
    expect(maxInFlight).toBe(1);
    expect(requests.length).toBeLessThanOrEqual(6);
  });

  it('on stop, finishes the messages in flight and gives the rest of the batch back', async () => {
    const { sender, sent, rows } = setup({
      recipients: 30,
      send: () => new Promise((resolve) => setTimeout(resolve, 5)),
    });
    const running = sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    await new Promise((resolve) => setTimeout(resolve, 12));
    sender.stop();
    const result = await running;
    expect(result.outcome).toBe('retry');
    expect(result.sent).toBe(sent.length);
    expect(result.sent + result.released).toBe(30);
    expect(result.released).toBeGreaterThan(0);
    const statuses = [...rows.values()];
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(result.released);
    expect(statuses.filter((s) => s === 'sending')).toHaveLength(0);
  });

  it('holds a row `sending` only while its message is with the transport', async () => {
    const { sender, rows, sent, sendingAtSend } = setup({
      recipients: 40,
      send: () => new Promise((resolve) => setTimeout(resolve, 2)),
    });
    await sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false });
    expect(sent).toHaveLength(40);
    // two lanes: never more than two rows claimed at once, the one being sent included
    expect(Math.max(...sendingAtSend)).toBeLessThanOrEqual(2);
    expect(Math.min(...sendingAtSend)).toBeGreaterThanOrEqual(1);
    expect([...rows.values()].every((s) => s === 'sent')).toBe(true);
  });

  it("writes a message's outcome and the lane's next claim in one statement", async () => {
    const { sender, writes } = setup({ recipients: 40 });
    await sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false });
    expect(writes.reduce((n, w) => n + w.outcomes, 0)).toBe(40);
    expect(writes.reduce((n, w) => n + w.claims, 0)).toBe(40);
    // one write per message and lane at most, plus the lanes' last outcomes
    expect(writes.length).toBeLessThanOrEqual(42);
    expect(writes.some((w) => w.outcomes > 0 && w.claims > 0)).toBe(true);
  });

  it('limits the rows held at once over all the batches of the process', async () => {
    const { sender, sendingAtSend, sent } = setup({
      recipients: 40,
      maxInFlight: 3,
      send: () => new Promise((resolve) => setTimeout(resolve, 2)),
    });
    // two batches of the same rows at once: each row is claimed by one of them only
    const results = await Promise.all([
      sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false }),
      sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false }),
    ]);
    expect(sent).toHaveLength(40);
    expect(new Set(sent).size).toBe(40);
    expect(Math.max(...sendingAtSend)).toBeLessThanOrEqual(3);
    expect(results[0]!.claimed + results[1]!.claimed).toBe(40);
  });

  it('lets the next batch claim while a batch waits only for a slow reply', async () => {
    let answerSlow = () => undefined as void;
    const slowReply = new Promise<void>((resolve) => {
      answerSlow = resolve;
    });
    const { sender, sent, rows } = setup({
      recipients: 8,
      batchSize: 4,
      maxSendingBatches: 1,
      maxInFlight: 4,
      send: (to) => (to === 'user2@example.org' ? slowReply : Promise.resolve()),
    });
    const tails: number[] = [];
    sender.onTailsChange((count) => tails.push(count));
    const attempt = { attempt: 1, isLastAttempt: false };
    const first = sender.sendBatch({ campaignId: 1, batchNo: 0 }, attempt);
    const second = sender.sendBatch({ campaignId: 1, batchNo: 1 }, attempt);
    // one batch slot: the second batch claims as soon as the first has nothing left to claim,
    // and finishes while the first's slow message is still with the transport
    const secondResult = await second;
    expect(secondResult).toMatchObject({ outcome: 'sent', sent: 4 });
    expect(sent).toEqual(expect.arrayContaining(['user1@example.org', 'user5@example.org']));
    expect(sent).not.toContain('user2@example.org');
    expect(rows.get(2)).toBe('sending');
    expect(tails.at(-1)).toBe(1);
    answerSlow();
    expect(await first).toMatchObject({ outcome: 'sent', sent: 4 });
    expect(tails.at(-1)).toBe(0);
    expect(new Set(sent).size).toBe(8);
  });

  it('stops claiming when the campaign is paused during the batch', async () => {
    const setupResult = setup({
      recipients: 30,
      send: async (to) => {
        if (to === 'user5@example.org') setupResult.setStatus('paused');
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    const result = await setupResult.sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 1, isLastAttempt: false },
    );
    expect(result.outcome).toBe('retry');
    expect(result.sent).toBeLessThanOrEqual(7);
    expect(result.sent + result.released).toBe(30);
    expect([...setupResult.rows.values()].filter((s) => s === 'sending')).toHaveLength(0);
  });

  it('fails on a snapshot it cannot encode before claiming any row', async () => {
    const { sender, rows, sent } = setup({ recipients: 6, brokenLocale: 'en' });
    await expect(
      sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false }),
    ).rejects.toThrow('no en body');
    expect(sent).toEqual([]);
    expect([...rows.values()].every((s) => s === 'queued')).toBe(true);
  });
});
