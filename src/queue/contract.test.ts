import { describe, expect, it } from 'vitest';

import {
  confirmationJobId,
  confirmationReminderJobId,
  fanOutJobId,
  QueueName,
  scheduledStartJobId,
  sendBatchJobId,
  signInJobId,
  SignInJobSchema,
} from './contract.ts';
import { deliveryJobOptionsOf, mailJobOptions } from './job-options.ts';

describe('the queue contract', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('gives job ids BullMQ accepts: no colon, never integer-looking', () => {
    const ids = [
      sendBatchJobId({ campaignId: 12, batchNo: 3 }),
      sendBatchJobId({ campaignId: 12, batchNo: 3 }, 4),
      fanOutJobId({ campaignId: 12 }),
      scheduledStartJobId(12, now),
      confirmationJobId({ subscriberId: 7 }, now),
      confirmationReminderJobId({ subscriberId: 7 }, 2920),
      signInJobId({ editorId: 2 }, now),
    ];
    expect(ids).toEqual([
      '12-3',
      '12-3-g4',
      'fan-out-12',
      `start-12-${now.getTime()}`,
      `confirm-7-${Math.floor(now.getTime() / 60_000)}`,
      'confirm-reminder-7-2920',
      `sign-in-2-${now.getTime()}`,
    ]);
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('names every queue once', () => {
    const names = Object.values(QueueName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps payloads to ids: an address in a sign-in job is refused', () => {
    const job = { kind: 'sign-in', editorId: 2, token: 'a'.repeat(43), locale: 'fr' };
    expect(SignInJobSchema.parse(job)).toEqual(job);
    expect(SignInJobSchema.safeParse({ ...job, email: 'a@example.org' }).success).toBe(false);
  });

  it('derives the retries of the mail queues from the configuration', () => {
    expect(
      mailJobOptions(deliveryJobOptionsOf({ SEND_ATTEMPTS: 8, SEND_RETRY_DELAY_MS: 5000 })),
    ).toEqual({
      attempts: 8,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
  });
});
