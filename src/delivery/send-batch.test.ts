import { describe, expect, it, vi } from 'vitest';

import type { ClaimedRecipient, Database, DeliveryOutcome } from '../db/index.ts';
import { createSilentLogger, fixedClock } from '../lib/index.ts';
import type { Campaign, CampaignStatus } from './campaign.ts';
import { buildMessageTemplate } from './message-template.ts';
import { type BatchSenderDeps, createBatchSender } from './send-batch.ts';

const template = buildMessageTemplate(
  { subject: 'AdN', html: '<p>%%greeting%%</p>', text: '%%greeting%%' },
  { id: 'adn', title: 'AdN', sender: { name: 'AdN', email: 'adn@example.org' } },
);

function setup(options: {
  status?: CampaignStatus;
  recipients?: number;
  send?: (to: string) => Promise<void>;
  abandoned?: number;
  isDatabaseFailing?: boolean;
  rateLimiter?: BatchSenderDeps['rateLimiter'];
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
  const recorded: DeliveryOutcome[] = [];
  const counts = { sentCount: 0, failedCount: 0 };
  const suppress = vi.fn(async () => undefined);
  const sent: string[] = [];
  const deps: BatchSenderDeps = {
    db: { transaction: (work: (tx: unknown) => unknown) => work({}) } as unknown as Database,
    campaigns: {
      findById: async () => ({ ...campaign, status, ...counts }),
      addOutcomeCounts: async (_tx, _id, delta) => {
        counts.sentCount += delta.sent;
        counts.failedCount += delta.failed;
        return { ...counts, status };
      },
      applyTransition: async (_db, _id, transition) => {
        status = transition.to;
        return { ...campaign, status };
      },
      completeIfFinished: async () => false,
    },
    deliveries: {
      markAbandonedUncertain: async () => options.abandoned ?? 0,
      claimBatch: async () => ({ recipients, skippedCount: 0 }),
      recordOutcomes: async (_db, outcomes) => {
        if (options.isDatabaseFailing) throw new Error('connection terminated');
        recorded.push(...outcomes);
        return {
          sent: outcomes.filter((o) => o.status === 'sent').length,
          failed: outcomes.filter((o) => o.status === 'failed').length,
        };
      },
    },
    messages: { templateFor: async () => template },
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
        await options.send?.(message.to);
        sent.push(message.to);
        return { messageId: 'm', response: '250 ok', accepted: true };
      },
    },
    rateLimiter: options.rateLimiter ?? { acquire: async (n) => n },
    logger: createSilentLogger(),
    clock: fixedClock('2026-11-05T08:00:00Z'),
    options: { maxErrorRate: 0.5, minErrorSample: 4, parallelism: 2, flushEvery: 2 },
  };
  return { sender: createBatchSender(deps), recorded, sent, suppress, getStatus: () => status };
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

  it('reports rows of a dead attempt as uncertain', async () => {
    const { sender } = setup({ abandoned: 3, recipients: 0 });
    const result = await sender.sendBatch(
      { campaignId: 1, batchNo: 0 },
      { attempt: 2, isLastAttempt: false },
    );
    expect(result.uncertain).toBe(3);
  });

  it('never gives a sent message back to the queue when its outcome cannot be written', async () => {
    const { sender, recorded } = setup({ recipients: 6, isDatabaseFailing: true });
    await expect(
      sender.sendBatch({ campaignId: 1, batchNo: 0 }, { attempt: 1, isLastAttempt: false }),
    ).rejects.toThrow('connection terminated');
    // nothing recorded: the rows stay `sending`, and the retry marks them uncertain
    expect(recorded).toEqual([]);
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
    const { sender, sent, recorded } = setup({
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
    expect(recorded.filter((o) => o.status === 'queued')).toHaveLength(result.released);
  });
});
