import {
  type BatchStore,
  type Campaign,
  CampaignNotFoundError,
  type CampaignStore,
  isErrorRateExceeded,
  isSendable,
  planTransition,
  type StoreHandle,
} from '../campaigns/index.ts';
import type { Clock, Locale, Logger } from '../lib/index.ts';
import type { MailTransport, MessageTemplate, RecipientLinkBuilder } from '../mail/index.ts';
import type { SendBatchJob } from '../queue/contract.ts';
import { type BatchAttempt, type BatchResult, BatchRun, emptyBatchResult } from './batch-run.ts';
import type { CampaignMessages } from './campaign-messages.ts';
import { createLanes } from './lanes.ts';
import type { MessageRateLimiter } from './permits.ts';
import { createProgressWriter } from './progress-writer.ts';

/** Options of {@link createBatchSender}. */
export interface BatchSenderOptions {
  /** SEND_MAX_ERROR_RATE: past this share of failed messages the campaign pauses itself. */
  maxErrorRate: number;
  /** Outcomes needed before the error rate is judged. @defaultValue 100 */
  minErrorSample?: number;
  /**
   * Lanes (one message each) of this process at once, over all its batches; a batch may use them
   * all. Hence rows `sending` at once: what a crash of this process can leave `uncertain`. The
   * workers give 8 × SMTP_POOL_SIZE: more lanes than SMTP connections keep the connections busy
   * while lanes wait for their database round trip. @defaultValue 16
   */
  maxInFlight?: number;
  /** Consecutive transient failures after which the rest of the batch waits for the retry. @defaultValue 10 */
  maxConsecutiveTransient?: number;
  /**
   * SEND_CONCURRENCY: batches of this process that may still claim rows at once. A batch whose
   * every row is claimed (only its last messages in flight, e.g. one slow reply) no longer
   * counts, so it holds its lanes but not the next batch. @defaultValue unlimited
   */
  maxSendingBatches?: number;
}

/** Dependencies of {@link createBatchSender}, narrowed to what sending uses. */
export interface BatchSenderDeps {
  db: StoreHandle;
  campaigns: Pick<CampaignStore, 'findById' | 'applyTransition' | 'completeIfFinished'>;
  deliveries: BatchStore;
  messages: Pick<CampaignMessages, 'templateFor'>;
  links: RecipientLinkBuilder;
  greetingFor: (name: string | null, locale: Locale) => string;
  /** Suppresses a hard-bounced address (the subscribers' `suppress`). */
  suppress: (email: string, detail: string) => Promise<void>;
  transport: MailTransport;
  /** Envelope sender of one delivery (VERP); the newsletter's sender when absent. */
  returnPathFor?: ((deliveryId: number) => string) | undefined;
  rateLimiter: MessageRateLimiter;
  logger: Logger;
  clock: Clock;
  options: BatchSenderOptions;
}

/**
 * Sends one batch of a campaign: re-checks the campaign, turns rows of a dead attempt into
 * `uncertain`, reads the batch's queued rows, and in each lane claims one row right before its
 * message (`sending`), fills the recipient's copy, hands it to the transport and writes the
 * outcome — in the same statement as the lane's next claim, grouped with the other lanes' by the
 * process's {@link createProgressWriter}. So a row is `sending` only while its message is with
 * the transport, and a crash leaves `uncertain` at most `maxInFlight` rows of this process. One
 * recipient's failure never stops the others; transient failures give rows back and report
 * `retry`.
 */
export function createBatchSender(deps: BatchSenderDeps) {
  const log = deps.logger.child({ component: 'send-batch' });
  let isShuttingDown = false;
  const maxInFlight = deps.options.maxInFlight ?? 16;
  const maxConsecutiveTransient = deps.options.maxConsecutiveTransient ?? 10;
  const writer = createProgressWriter({ db: deps.db, deliveries: deps.deliveries });
  const lanes = createLanes(maxInFlight);
  const batchLanes =
    deps.options.maxSendingBatches === undefined
      ? undefined
      : createLanes(deps.options.maxSendingBatches);
  /** Batches with nothing left to claim, waiting for their last messages' replies. */
  let tails = 0;
  const tailListeners: Array<(tails: number) => void> = [];
  const setTails = (delta: number) => {
    tails += delta;
    for (const listener of tailListeners) listener(tails);
  };

  async function sendBatch(job: SendBatchJob, attempt: BatchAttempt): Promise<BatchResult> {
    const result = emptyBatchResult();
    const campaign = await deps.campaigns.findById(deps.db, job.campaignId);
    if (!campaign) throw new CampaignNotFoundError(job.campaignId);
    if (!isSendable(campaign.status)) return { ...result, outcome: 'not-sendable' };

    // Encode the templates of both languages before anything is claimed: a broken snapshot must
    // fail the job before a row is `sending`, not after.
    const templates = {
      fr: await deps.messages.templateFor(campaign, 'fr'),
      en: await deps.messages.templateFor(campaign, 'en'),
    };
    result.uncertain = await deps.deliveries.markAbandonedUncertain(
      deps.db,
      job.campaignId,
      job.batchNo,
    );
    if (result.uncertain > 0) {
      log.warn(
        {
          campaignId: job.campaignId,
          batchNo: job.batchNo,
          uncertain: result.uncertain,
          event: 'campaign.batch.uncertain',
        },
        'rows of a stopped attempt marked uncertain',
      );
    }
    // A batch takes one of the process's batch lanes while it has rows to claim; it gives it
    // back as soon as none is left (its tail), so a slow reply holds its own lane only.
    const releaseBatchLane = (await batchLanes?.acquire()) ?? (() => undefined);
    let isTail = false;
    const enterTail = () => {
      if (isTail) return;
      isTail = true;
      releaseBatchLane();
      setTails(1);
    };
    try {
      return await sendRows(job, attempt, campaign, templates, result, enterTail);
    } finally {
      releaseBatchLane();
      if (isTail) setTails(-1);
    }
  }

  /** Loads the batch's queued rows, sends them in lanes, then settles the campaign. */
  async function sendRows(
    job: SendBatchJob,
    attempt: BatchAttempt,
    campaign: Campaign,
    templates: Record<Locale, MessageTemplate>,
    result: BatchResult,
    enterTail: () => void,
  ): Promise<BatchResult> {
    const batch = await deps.deliveries.loadBatch(deps.db, {
      ...job,
      newsletterId: campaign.newsletterId,
    });
    result.skipped = batch.skippedCount;
    const run = new BatchRun(
      {
        send: deps,
        rateLimiter: deps.rateLimiter,
        writer,
        lanes,
        maxInFlight,
        maxConsecutiveTransient,
        isShuttingDown: () => isShuttingDown,
        enterTail,
        campaign,
        templates,
        attempt,
      },
      batch.recipients,
      result,
    );
    await run.sendAll();
    await settle(job, campaign, run);
    return result.released > 0 ? { ...result, outcome: 'retry' } : result;
  }

  /**
   * After the lanes: suppresses the hard-bounced addresses, pauses the campaign past its error
   * rate, and completes it when nothing is left to send.
   */
  async function settle(job: SendBatchJob, campaign: Campaign, run: BatchRun): Promise<void> {
    for (const bounce of run.bounced) {
      await deps
        .suppress(bounce.email, bounce.reply)
        .catch((error: unknown) =>
          log.error(
            { err: error, campaignId: campaign.id },
            'could not suppress a hard-bounced address',
          ),
        );
    }
    if (run.unanswered > 0) {
      log.warn(
        {
          campaignId: campaign.id,
          batchNo: job.batchNo,
          uncertain: run.unanswered,
          event: 'campaign.batch.relay_uncertain',
        },
        'relay gave no final reply after the message data: messages marked uncertain, not resent',
      );
    }
    const counts = run.totals ?? (await deps.campaigns.findById(deps.db, campaign.id)) ?? campaign;
    if (
      counts.status === 'sending' &&
      isErrorRateExceeded(counts, {
        maxErrorRate: deps.options.maxErrorRate,
        ...(deps.options.minErrorSample === undefined
          ? {}
          : { minSample: deps.options.minErrorSample }),
      })
    ) {
      await pauseForErrorRate(campaign, counts);
    }
    await deps.campaigns.completeIfFinished(deps.db, campaign.id, deps.clock.now());
    log.info(
      { campaignId: campaign.id, batchNo: job.batchNo, ...run.result, stopReason: run.stopReason },
      'batch processed',
    );
  }

  async function pauseForErrorRate(
    campaign: Campaign,
    counts: Pick<Campaign, 'sentCount' | 'failedCount'>,
  ) {
    const total = counts.sentCount + counts.failedCount;
    const share = total === 0 ? 0 : counts.failedCount / total;
    const reason =
      `error rate ${(share * 100).toFixed(1)} % (${counts.failedCount} failed of ${total}) ` +
      `is above SEND_MAX_ERROR_RATE ${(deps.options.maxErrorRate * 100).toFixed(1)} %`;
    const transition = planTransition(
      { ...campaign, status: 'sending' },
      { kind: 'pause', reason },
      deps.clock.now(),
    );
    const paused = await deps.campaigns.applyTransition(
      deps.db,
      campaign.id,
      transition,
      deps.clock.now(),
    );
    if (paused) {
      log.error(
        { campaignId: campaign.id, event: 'campaign.paused.error_rate', reason },
        'campaign paused itself',
      );
    }
  }

  return {
    sendBatch,
    /**
     * Graceful shutdown: messages in flight finish, the rest of each running batch goes back to
     * the queue (its job is retried later, by this or another worker).
     */
    stop() {
      isShuttingDown = true;
    },
    /**
     * Calls `listener` with the number of batches in their tail (every row claimed, replies
     * awaited) whenever it changes: the worker takes that many more jobs than SEND_CONCURRENCY.
     */
    onTailsChange(listener: (tails: number) => void) {
      tailListeners.push(listener);
    },
  };
}

/** See {@link createBatchSender}. */
export type BatchSender = ReturnType<typeof createBatchSender>;
