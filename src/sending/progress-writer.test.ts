import { describe, expect, it } from 'vitest';

import type { DeliveryOutcome, ProgressWritten, StoreHandle } from '../campaigns/index.ts';
import { createProgressWriter } from './progress-writer.ts';

type WriteInput = {
  outcomes: DeliveryOutcome[];
  claims: Array<{ deliveryId: number; campaignId: number }>;
};

const totals = { status: 'sending' as const, sentCount: 1, failedCount: 0 };
const sent = (deliveryId: number): DeliveryOutcome => ({
  deliveryId,
  status: 'sent',
  smtpResponse: '250 ok',
  messageId: `<${deliveryId}@example.org>`,
});

/** A fake repository that claims every row asked for, answering after `delayMs`. */
function fakeDeliveries(options: { delayMs?: number; failures?: unknown[] } = {}) {
  const writes: WriteInput[] = [];
  const failures = [...(options.failures ?? [])];
  return {
    writes,
    deliveries: {
      async writeProgress(_db: unknown, input: WriteInput): Promise<ProgressWritten> {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1));
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        writes.push(input);
        return {
          claimed: new Set(input.claims.map((claim) => claim.deliveryId)),
          campaigns: new Map([[7, totals]]),
        };
      },
    },
  };
}

describe('createProgressWriter', () => {
  it('puts what the lanes ask in one tick into one statement', async () => {
    const fake = fakeDeliveries();
    const writer = createProgressWriter({ db: {} as StoreHandle, deliveries: fake.deliveries });
    const [recorded, claim] = await Promise.all([writer.record(7, sent(1)), writer.claim(7, 2)]);
    expect(fake.writes).toHaveLength(1);
    expect(fake.writes[0]).toEqual({
      outcomes: [sent(1)],
      claims: [{ deliveryId: 2, campaignId: 7 }],
    });
    expect(recorded).toEqual(totals);
    expect(claim).toEqual({ isClaimed: true, campaign: totals });
  });

  it('groups what arrives while a write is in flight into the next one', async () => {
    const fake = fakeDeliveries({ delayMs: 5 });
    const writer = createProgressWriter({ db: {} as StoreHandle, deliveries: fake.deliveries });
    const first = writer.claim(7, 1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const later = Array.from({ length: 10 }, (_, i) => writer.claim(7, i + 2));
    await Promise.all([first, ...later]);
    expect(fake.writes.map((write) => write.claims.length)).toEqual([1, 10]);
  });

  it('gives a row asked twice in one write to the first request only', async () => {
    const fake = fakeDeliveries();
    const writer = createProgressWriter({ db: {} as StoreHandle, deliveries: fake.deliveries });
    const [a, b] = await Promise.all([writer.claim(7, 3), writer.claim(7, 3)]);
    expect([a.isClaimed, b.isClaimed]).toEqual([true, false]);
  });

  it('runs a statement again after a deadlock, and rejects every request on other errors', async () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const retried = fakeDeliveries({ failures: [new Error('wrapped', { cause: deadlock })] });
    const writer = createProgressWriter({ db: {} as StoreHandle, deliveries: retried.deliveries });
    await expect(writer.claim(7, 1)).resolves.toMatchObject({ isClaimed: true });

    const broken = fakeDeliveries({ failures: [new Error('connection terminated')] });
    const failing = createProgressWriter({ db: {} as StoreHandle, deliveries: broken.deliveries });
    const results = await Promise.allSettled([failing.record(7, sent(1)), failing.claim(7, 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // the writer keeps working for later requests
    await expect(failing.claim(7, 3)).resolves.toMatchObject({ isClaimed: true });
  });
});
