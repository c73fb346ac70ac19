import { randomUUID } from 'node:crypto';

import { Queue } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createSilentLogger } from '../../src/lib/index.ts';
import {
  FEED_POLL_QUEUE,
  FEED_POLL_SCHEDULER_ID,
  type FeedPolling,
  startFeedPolling,
} from '../../src/queue/index.ts';

const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };

describe('scheduled feed polling on Redis', () => {
  const prefix = `{test-feeds-${randomUUID()}}`;
  const started: FeedPolling[] = [];

  afterEach(async () => {
    for (const polling of started.splice(0)) await polling.close();
    const queue = new Queue(FEED_POLL_QUEUE, { connection, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('polls on schedule from one scheduler, never twice at once across workers', async () => {
    let running = 0;
    let maxRunning = 0;
    let polls = 0;
    const poll = async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      // Longer than the interval, so that overlapping polls would show.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      running -= 1;
      polls += 1;
    };
    const options = { connection, prefix, intervalSec: 1, poll, logger: createSilentLogger() };
    // Three worker processes starting the same schedule.
    started.push(await startFeedPolling(options));
    started.push(await startFeedPolling(options));
    started.push(await startFeedPolling(options));

    const queue = new Queue(FEED_POLL_QUEUE, { connection, prefix });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual([FEED_POLL_SCHEDULER_ID]);
    await queue.close();

    await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(3), {
      timeout: 30_000,
      interval: 200,
    });
    expect(maxRunning).toBe(1);
  });
});
