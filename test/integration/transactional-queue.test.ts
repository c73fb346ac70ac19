import { afterAll, describe, expect, it } from 'vitest';

import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { createConfirmationMailer } from '../../src/mail/index.ts';
import {
  closeRedisConnection,
  createRedisConnection,
  openTransactionalQueue,
  startTransactionalWorker,
} from '../../src/queue/index.ts';
import { deleteRedisKeys, testQueuePrefix } from '../helpers/campaign-fixtures.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The confirmation jobs take their retries from the configuration, as the send jobs do. */
describe('the transactional queue', () => {
  const prefix = testQueuePrefix();
  const redis = createRedisConnection(redisUrl, 'depeche-transactional-test');
  const queue = openTransactionalQueue(redis, {
    QUEUE_PREFIX: prefix,
    SEND_ATTEMPTS: 3,
    SEND_RETRY_DELAY_MS: 1234,
  });
  const mailer = createConfirmationMailer({
    queue,
    clock: fixedClock(new Date('2026-11-23T10:00:00Z')),
  });

  afterAll(async () => {
    await queue.close();
    await closeRedisConnection(redis);
    await deleteRedisKeys(redisUrl, prefix);
  });

  it('gives a confirmation job SEND_ATTEMPTS attempts, SEND_RETRY_DELAY_MS apart at first', async () => {
    await mailer.enqueueConfirmation({ subscriberId: 42, locale: 'en' });
    const [job] = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(job?.data).toEqual({ kind: 'confirm', subscriberId: 42, locale: 'en' });
    expect(job?.opts.attempts).toBe(3);
    expect(job?.opts.backoff).toEqual({ type: 'exponential', delay: 1234 });
  });

  it('refuses a locale it has no templates for, enqueuing nothing', async () => {
    await expect(
      mailer.enqueueConfirmation({ subscriberId: 43, locale: 'de' as never }),
    ).rejects.toThrow(/locale/);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('fails a malformed job at its first attempt, naming it, and sends nothing', async () => {
    await queue.drain(true);
    const sent: unknown[] = [];
    const worker = await startTransactionalWorker({
      connection: redis,
      prefix,
      logger: createSilentLogger(),
      sender: { send: async (job) => (sent.push(job), 'sent' as const) },
    });
    try {
      const job = await queue.add('confirm', { kind: 'confirm', subscriberId: 'forty-two' });
      let state = await job.getState();
      for (let i = 0; i < 100 && state !== 'failed'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = await job.getState();
      }
      const failed = await queue.getJob(job.id ?? '');
      expect(state).toBe('failed');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(/is malformed: subscriberId/);
      expect(sent).toEqual([]);
    } finally {
      await worker.close();
    }
  });
});
