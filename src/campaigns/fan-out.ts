import type { Clock, Logger } from '../lib/index.ts';
import type { FanOutJob } from '../queue/contract.ts';
import type { Campaign } from './model.ts';
import type {
  AudienceStore,
  CampaignStore,
  DeliveryEnqueuer,
  DeliveryStore,
  FanOutPage,
  StoreHandle,
} from './ports.ts';

/** Rows the fan-out inserts per transaction at most. @defaultValue 20000 */
export const defaultFanOutPageSize = 20_000;

/**
 * The page size of the fan-out, a whole number of batches so that every batch but the last
 * of the audience is full and a batch never spans two transactions.
 */
export function fanOutPageSize(batchSize: number, target = defaultFanOutPageSize): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be ≥ 1');
  return Math.max(1, Math.floor(target / batchSize)) * batchSize;
}

/**
 * The batch numbers a fan-out page of `rowCount` rows occupies, starting at `firstBatchNo`:
 * row i of the page (in subscriber-id order) goes to batch `firstBatchNo + floor(i / batchSize)`.
 */
export function planBatches(input: {
  firstBatchNo: number;
  rowCount: number;
  batchSize: number;
}): number[] {
  const count = Math.ceil(input.rowCount / input.batchSize);
  return Array.from({ length: count }, (_, i) => input.firstBatchNo + i);
}

/** Dependencies of {@link createFanOut}. */
export interface FanOutDeps {
  db: StoreHandle;
  campaigns: Pick<CampaignStore, 'lockById' | 'advanceFanOut' | 'completeIfFinished'>;
  deliveries: Pick<DeliveryStore, 'batchesWithStatus'>;
  audience: Pick<AudienceStore, 'insertNextPage'>;
  enqueue: Pick<DeliveryEnqueuer, 'sendBatches'>;
  /** Reads the campaign, throwing when there is none. */
  load: (id: number) => Promise<Campaign>;
  clock: Clock;
  log: Logger;
  /** SEND_BATCH_SIZE: recipients per send job. */
  batchSize: number;
  /** Delivery rows inserted per fan-out transaction. @defaultValue {@link defaultFanOutPageSize} */
  pageSize?: number | undefined;
}

/**
 * The fan-out: turns a campaign's audience into delivery rows, batch by batch, and enqueues one
 * send job per batch once the rows are committed.
 */
export function createFanOut(deps: FanOutDeps) {
  const pageSize = fanOutPageSize(deps.batchSize, deps.pageSize);

  /** Re-enqueues every batch that still has queued or sending rows. */
  async function enqueuePending(campaignId: number, isReplacing: boolean): Promise<number[]> {
    const batchNos = await deps.deliveries.batchesWithStatus(deps.db, campaignId, [
      'queued',
      'sending',
    ]);
    if (batchNos.length > 0) await deps.enqueue.sendBatches(campaignId, batchNos, isReplacing);
    return batchNos;
  }

  /** Inserts the next page of the audience and advances the checkpoint, in one transaction. */
  function writeNextPage(campaignId: number): Promise<FanOutPage | undefined> {
    return deps.db.transaction(async (tx) => {
      const campaign = await deps.campaigns.lockById(tx, campaignId);
      if (!campaign || campaign.status !== 'sending' || campaign.isFanoutDone) return undefined;
      const written = await deps.audience.insertNextPage(tx, {
        campaignId: campaign.id,
        newsletterId: campaign.newsletterId,
        segment: campaign.segment,
        afterSubscriberId: campaign.lastSubscriberId,
        firstBatchNo: campaign.nextBatchNo,
        batchSize: deps.batchSize,
        pageSize,
      });
      await deps.campaigns.advanceFanOut(
        tx,
        campaign.id,
        {
          lastSubscriberId: written.lastSubscriberId,
          nextBatchNo: campaign.nextBatchNo + Math.ceil(written.rowCount / deps.batchSize),
          addedRecipients: written.insertedCount,
          isDone: written.rowCount < pageSize,
        },
        deps.clock.now(),
      );
      return written;
    });
  }

  return {
    enqueuePending,

    /**
     * The fan-out job: first re-enqueues batches written by an earlier attempt (enqueuing happens
     * after commit, so a crash in between must not lose them), then walks the audience page by
     * page; each page's rows and checkpoint commit together, its jobs are enqueued after.
     */
    async run(job: FanOutJob): Promise<{ pages: number; recipients: number }> {
      const start = await deps.load(job.campaignId);
      if (start.status !== 'sending') return { pages: 0, recipients: 0 };
      if (start.nextBatchNo > 0) await enqueuePending(start.id, false);
      let pages = 0;
      let recipients = 0;
      for (;;) {
        const page = await writeNextPage(job.campaignId);
        if (!page) break;
        pages += 1;
        recipients += page.insertedCount;
        if (page.batchNos.length > 0)
          await deps.enqueue.sendBatches(job.campaignId, page.batchNos, false);
        if (page.rowCount < pageSize) break;
      }
      // An empty audience (or one whose batches all finished already) completes here.
      await deps.campaigns.completeIfFinished(deps.db, job.campaignId, deps.clock.now());
      deps.log.info({ campaignId: job.campaignId, pages, recipients }, 'fan-out finished');
      return { pages, recipients };
    },
  };
}

/** See {@link createFanOut}. */
export type FanOut = ReturnType<typeof createFanOut>;
