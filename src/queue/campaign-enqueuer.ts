import type { Queue } from 'bullmq';

import { type DeliveryEnqueuer } from '../campaigns/index.ts';
import { fanOutJobId, scheduledStartJobId, sendBatchJobId } from './contract.ts';
import type { DeliveryQueues } from './queues.ts';

/** Removes a job of `queue` that is finished or failed, so its id can be added again. */
async function clearFinished(queue: Queue, jobId: string): Promise<void> {
  const job = await queue.getJob(jobId);
  if (!job) return;
  const state = await job.getState();
  if (state === 'failed' || state === 'completed') await job.remove().catch(() => undefined);
}

/**
 * Job ids for sending the batches of a campaign again (`retry`, `resume`, the watchdog), one per
 * batch still worth enqueuing. A waiting job of the batch is enough: it reads the batch's queued
 * rows when it starts. A finished or failed one is removed and its id used again. An active job
 * may have read its rows already, and a delayed one may wait long for its backoff: the batch
 * then gets a job of a new generation, `<campaign>-<batch>-g<n>` with `n` from a counter in
 * Redis, so BullMQ cannot drop it as a duplicate of the running one. Two jobs of one batch are
 * safe: rows are claimed atomically, one by one.
 */
async function replacementJobIds(
  queues: DeliveryQueues,
  campaignId: number,
  batchNos: readonly number[],
): Promise<Array<{ batchNo: number; jobId: string }>> {
  const jobs: Array<{ batchNo: number; jobId: string }> = [];
  let generation: number | undefined;
  for (const batchNo of batchNos) {
    const jobId = sendBatchJobId({ campaignId, batchNo });
    const state = await queues.sendBatch.getJobState(jobId);
    if (state === 'waiting' || state === 'prioritized') continue;
    if (state === 'completed' || state === 'failed') await clearFinished(queues.sendBatch, jobId);
    if (state === 'active' || state === 'delayed' || state === 'waiting-children') {
      generation ??= await queues.connection.incr(
        queues.sendBatch.toKey(`generation-${campaignId}`),
      );
      jobs.push({ batchNo, jobId: sendBatchJobId({ campaignId, batchNo }, generation) });
    } else {
      jobs.push({ batchNo, jobId });
    }
  }
  return jobs;
}

/**
 * The {@link DeliveryEnqueuer} over BullMQ: deterministic job ids, so enqueuing twice adds one
 * job; `addBulk` in chunks for the many batches of a fan-out page. Enqueuing again (`isReplacing`)
 * never loses a batch to the id of a job already running (see {@link replacementJobIds}). Given
 * a function, it opens the queues the first time a job is enqueued (a command that only reads
 * never touches Redis).
 */
export function createQueueEnqueuer(
  queuesOrOpen: DeliveryQueues | (() => DeliveryQueues),
): DeliveryEnqueuer {
  const open = typeof queuesOrOpen === 'function' ? queuesOrOpen : () => queuesOrOpen;
  return {
    async fanOut(campaignId) {
      const queues = open();
      const jobId = fanOutJobId({ campaignId });
      await clearFinished(queues.fanOut, jobId);
      await queues.fanOut.add('fan-out', { campaignId }, { jobId });
    },
    async sendBatches(campaignId, batchNos, isReplacing) {
      const queues = open();
      const ids = isReplacing
        ? await replacementJobIds(queues, campaignId, batchNos)
        : batchNos.map((batchNo) => ({ batchNo, jobId: sendBatchJobId({ campaignId, batchNo }) }));
      const jobs = ids.map(({ batchNo, jobId }) => ({
        name: 'send-batch',
        data: { campaignId, batchNo },
        opts: { jobId },
      }));
      for (let i = 0; i < jobs.length; i += 1000) {
        await queues.sendBatch.addBulk(jobs.slice(i, i + 1000));
      }
    },
    async scheduledStart(campaignId, at) {
      await open().scheduler.add(
        'start',
        { campaignId },
        {
          jobId: scheduledStartJobId(campaignId, at),
          delay: Math.max(0, at.getTime() - Date.now()),
        },
      );
    },
  };
}
