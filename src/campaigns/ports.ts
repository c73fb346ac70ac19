import type {
  Campaign,
  CampaignBody,
  CampaignStatus,
  CampaignTotals,
  CampaignTransition,
  ClaimedRecipient,
  DeliveryCounts,
  DeliveryOutcome,
  DeliveryStatus,
  NewsletterSnapshot,
  Segment,
} from './model.ts';
import type { ProgressReading } from './sending-status.ts';

/**
 * The database, or a transaction opened on it, as the stores know it. The campaign and sending
 * code only hand it back to the stores, and open a transaction where several writes must commit
 * together (a fan-out page and its checkpoint); every store method takes it first, so one
 * transaction can span several stores.
 */
export interface StoreHandle {
  transaction<T>(work: (tx: StoreHandle) => Promise<T>): Promise<T>;
}

/** How the campaign code puts work on the queues (implemented over BullMQ in `queue/`). */
export interface DeliveryEnqueuer {
  fanOut(campaignId: number): Promise<void>;
  /** Adds send jobs; `isReplacing` first removes finished or failed jobs of the same ids. */
  sendBatches(campaignId: number, batchNos: number[], isReplacing: boolean): Promise<void>;
  /** A job that starts the scheduled campaign at `at`. */
  scheduledStart(campaignId: number, at: Date): Promise<void>;
}

/** What {@link CampaignStore.create} stores: the campaign and its bodies, one per language. */
export interface NewCampaign {
  newsletterId: string;
  issueKey: string;
  segment: Segment;
  newsletter: NewsletterSnapshot;
  contentHash: string;
  bodies: Array<Omit<CampaignBody, 'campaignId'>>;
  /** Random key of the campaign's Message-IDs. @defaultValue 20 hex digits from a strong source */
  messageKey?: string;
}

/** Campaign rows, their rendered bodies and their fan-out checkpoint. */
export interface CampaignStore {
  /** Inserts a draft campaign with its bodies in one transaction. */
  create(db: StoreHandle, input: NewCampaign): Promise<Campaign>;
  findById(db: StoreHandle, id: number): Promise<Campaign | undefined>;
  /** Reads the campaign and locks its row until the end of the transaction `tx`. */
  lockById(tx: StoreHandle, id: number): Promise<Campaign | undefined>;
  findBodies(db: StoreHandle, campaignId: number): Promise<CampaignBody[]>;
  /** The most recent campaigns first, optionally of one newsletter or some statuses only. */
  list(
    db: StoreHandle,
    options: { limit: number; statuses?: CampaignStatus[]; newsletterId?: string },
  ): Promise<Campaign[]>;
  /** Scheduled campaigns whose time has come (the scheduler decides what to do with each). */
  listDueScheduled(db: StoreHandle, now: Date): Promise<Campaign[]>;
  /** Sending campaigns whose row has not changed since `before` (no outcome recorded). */
  listIdleSending(db: StoreHandle, before: Date): Promise<Campaign[]>;
  /**
   * Applies a transition planned by `planTransition`, only if the campaign still has the status
   * it was planned from. Undefined when another action won the race.
   */
  applyTransition(
    db: StoreHandle,
    id: number,
    transition: CampaignTransition,
    now: Date,
  ): Promise<Campaign | undefined>;
  /** Records why a campaign waits without changing its status (e.g. an overdue schedule). */
  setStatusReason(db: StoreHandle, id: number, reason: string | null, now: Date): Promise<void>;
  /** Advances the fan-out checkpoint, in the transaction that inserted the page's rows. */
  advanceFanOut(
    tx: StoreHandle,
    id: number,
    progress: {
      lastSubscriberId: number;
      nextBatchNo: number;
      addedRecipients: number;
      isDone: boolean;
    },
    now: Date,
  ): Promise<void>;
  /**
   * Marks a sending campaign done when its fan-out has finished and no delivery row is queued or
   * sending. True when this call finished it.
   */
  completeIfFinished(db: StoreHandle, id: number, now: Date): Promise<boolean>;
}

/** What the campaign's lifecycle reads and changes of its delivery rows (sending's: {@link BatchStore}). */
export interface DeliveryStore {
  /** How many rows of the campaign are in each status. */
  countByStatus(db: StoreHandle, campaignId: number): Promise<DeliveryCounts>;
  /** Batch numbers of the campaign that have rows in one of `statuses`. */
  batchesWithStatus(
    db: StoreHandle,
    campaignId: number,
    statuses: DeliveryStatus[],
  ): Promise<number[]>;
  /** Gives failed or uncertain rows back to the queue; how many rows and which batches. */
  requeue(
    db: StoreHandle,
    campaignId: number,
    from: 'failed' | 'uncertain',
  ): Promise<{ count: number; batchNos: number[] }>;
  /** The most frequent failure replies, addresses replaced by `<…>`. */
  topFailures(
    db: StoreHandle,
    campaignId: number,
    limit?: number,
  ): Promise<Array<{ reply: string; count: number }>>;
  /** Marks the rows still `queued` as `skipped` with `reason`; how many. */
  skipQueued(db: StoreHandle, campaignId: number, reason: string): Promise<number>;
}

/** What one write of the sending's progress writer asks: outcomes of claimed rows, then new claims. */
export interface ProgressWrite {
  outcomes: DeliveryOutcome[];
  claims: Array<{ deliveryId: number; campaignId: number }>;
}

/** What {@link BatchStore.writeProgress} did. */
export interface ProgressWritten {
  /** Delivery ids now `sending`, claimed by this call. */
  claimed: Set<number>;
  /** Status and counts (outcomes of this call included) of the campaigns named, by id. */
  campaigns: Map<number, CampaignTotals>;
}

/**
 * The delivery rows of a batch as the sender uses them. A row is claimed (`queued` →
 * `sending`) on its own right before its message goes to the transport, so two workers never
 * hold the same recipient and `sending` means "with the transport, outcome not yet written".
 */
export interface BatchStore {
  /**
   * Rows of the batch left `sending` by an attempt that died mid-conversation become
   * `uncertain` (never resent on their own). Returns how many.
   */
  markAbandonedUncertain(db: StoreHandle, campaignId: number, batchNo: number): Promise<number>;
  /**
   * The queued rows of a batch with their recipients, left `queued`; rows whose recipient has
   * left meanwhile become `skipped` instead.
   */
  loadBatch(
    db: StoreHandle,
    input: { campaignId: number; batchNo: number; newsletterId: string },
  ): Promise<{ recipients: ClaimedRecipient[]; skippedCount: number }>;
  /**
   * One statement: writes the outcomes (and adds them to their campaigns' counts), then claims
   * the rows asked whose campaign is `sending`. Returns the rows claimed and the counts and
   * status of every campaign named.
   */
  writeProgress(db: StoreHandle, input: ProgressWrite): Promise<ProgressWritten>;
}

/** What one fan-out page wrote. */
export interface FanOutPage {
  /** Audience members read in this page (0: the walk is over). */
  rowCount: number;
  /** Delivery rows inserted (fewer than rowCount only if some already existed). */
  insertedCount: number;
  /** Highest subscriber id of the page, the next checkpoint. */
  lastSubscriberId: number;
  /** Batch numbers that received rows. */
  batchNos: number[];
}

/** The audience of a campaign: active subscribers of its newsletter in its segment. */
export interface AudienceStore {
  /**
   * Inserts the delivery rows of the next page of the audience after `afterSubscriberId`,
   * numbering batches from `firstBatchNo`, `batchSize` rows each. Run it in the transaction that
   * advances the checkpoint.
   */
  insertNextPage(
    tx: StoreHandle,
    input: {
      campaignId: number;
      newsletterId: string;
      segment: Segment;
      afterSubscriberId: number;
      firstBatchNo: number;
      batchSize: number;
      pageSize: number;
    },
  ): Promise<FanOutPage>;
  /** Size of the audience right now. */
  count(db: StoreHandle, input: { newsletterId: string; segment: Segment }): Promise<number>;
  /**
   * How many people of an audience the same issue already reached or is about to reach, and
   * through which campaigns; `excludeCampaignId` leaves one campaign out.
   */
  countOverlap(
    db: StoreHandle,
    input: {
      issueKey: string;
      newsletterId: string;
      segment: Segment;
      excludeCampaignId?: number;
    },
  ): Promise<{ count: number; campaignIds: number[] }>;
}

/** One reading of a campaign's progress, for its status page and `campaign status`. */
export interface CampaignProgressStore {
  /** The campaign, its rows per status and the outcomes of the last `windowSec` seconds. */
  read(
    db: StoreHandle,
    campaignId: number,
    windowSec: number,
  ): Promise<ProgressReading | undefined>;
}
