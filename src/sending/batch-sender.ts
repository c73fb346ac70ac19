import {
  type BatchStore,
  type Campaign,
  CampaignNotFoundError,
  type CampaignStore,
  type CampaignTotals,
  type ClaimedRecipient,
  type DeliveryOutcome,
  isErrorRateExceeded,
  isSendable,
  planTransition,
  type StoreHandle,
} from '../campaigns/index.ts';
import type { Clock, Locale, Logger } from '../lib/index.ts';
import type { MailTransport } from '../mail/mail-transport.ts';
import type { MessageTemplate } from '../mail/message-template.ts';
import type { RecipientLinkBuilder } from '../mail/recipient-links.ts';
import type { SendBatchJob } from '../queue/contract.ts';
import type { CampaignMessages } from './campaign-messages.ts';
import { createSendSlots } from './lanes.ts';
import { createProgressWriter } from './progress-writer.ts';
import { type RecipientResult, sendToRecipient } from './send-recipient.ts';

/** Messages per second and per hour shared by every worker (a Redis token bucket in production). */
export interface MessageRateLimiter {
  /** Waits until at least one message may go; returns how many (1…`count`) were granted. */
  acquire(count: number): Promise<number>;
}

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

/** What one run of a send job did. */
export interface BatchResult {
  outcome: 'sent' | 'not-sendable' | 'retry';
  /** Rows this attempt claimed and handed to the transport. */
  claimed: number;
  sent: number;
  failed: number;
  /** Rows left or given back `queued` (transient failure, stop, pause): the job is retried. */
  released: number;
  /**
   * Rows now `uncertain`: of a dead attempt (found `sending`), or whose message data went to the
   * relay without a final reply.
   */
  uncertain: number;
  /** Rows whose recipient left before sending. */
  skipped: number;
  /** Rows another attempt held or finished first. */
  taken: number;
}

/** How the worker tells the sender about the job attempt. */
export interface BatchAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** True on the last attempt: transient failures are then recorded as failed. */
  isLastAttempt: boolean;
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
  const slots = createSendSlots(maxInFlight);
  const batchSlots =
    deps.options.maxSendingBatches === undefined
      ? undefined
      : createSendSlots(deps.options.maxSendingBatches);
  /** Batches with nothing left to claim, waiting for their last messages' replies. */
  let tails = 0;
  const tailListeners: Array<(tails: number) => void> = [];
  const setTails = (delta: number) => {
    tails += delta;
    for (const listener of tailListeners) listener(tails);
  };

  async function sendBatch(job: SendBatchJob, attempt: BatchAttempt): Promise<BatchResult> {
    const result: BatchResult = {
      outcome: 'sent',
      claimed: 0,
      sent: 0,
      failed: 0,
      released: 0,
      uncertain: 0,
      skipped: 0,
      taken: 0,
    };
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
    // A batch takes one of the process's batch slots while it has rows to claim; it gives it
    // back as soon as none is left (its tail), so a slow reply holds its own lane only.
    const releaseBatchSlot = (await batchSlots?.acquire()) ?? (() => undefined);
    let isTail = false;
    const enterTail = () => {
      if (isTail) return;
      isTail = true;
      releaseBatchSlot();
      setTails(1);
    };
    try {
      return await sendClaimed(job, attempt, campaign, templates, result, enterTail);
    } finally {
      releaseBatchSlot();
      if (isTail) setTails(-1);
    }
  }

  async function sendClaimed(
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

    let totals: CampaignTotals | undefined;
    const bounced: Array<{ email: string; reply: string }> = [];
    const queue = [...batch.recipients];
    let permits = 0;
    let consecutiveTransient = 0;
    let unanswered = 0;
    let isStopping = false;
    let stopReason: string | undefined;

    // One request for tokens at a time, shared by the lanes: tokens come in groups (one Redis
    // call per group, not per message) and a batch never holds many more than it can use.
    let pendingPermits: Promise<void> | undefined;
    const takePermit = async () => {
      while (permits === 0) {
        pendingPermits ??= deps.rateLimiter
          .acquire(Math.min(queue.length + 1, 50))
          .then((granted) => {
            permits += granted;
          })
          .finally(() => {
            pendingPermits = undefined;
          });
        await pendingPermits;
      }
      permits -= 1;
    };

    const noteTotals = (seen: CampaignTotals | undefined) => {
      if (!seen) return;
      totals = seen;
      if (seen.status !== 'sending' && !isStopping) {
        isStopping = true;
        stopReason = `campaign is ${seen.status}`;
      }
    };

    const noteResult = ({ outcome, kind }: RecipientResult, recipient: ClaimedRecipient) => {
      if (outcome.status === 'sent') result.sent += 1;
      else if (outcome.status === 'failed') result.failed += 1;
      else if (outcome.status === 'uncertain') {
        result.uncertain += 1;
        unanswered += 1;
      } else result.released += 1;
      // a relay that drops connections mid-data is failing too: stop before more go uncertain
      const isRelayTrouble = kind === 'transient' || kind === 'uncertain';
      consecutiveTransient = isRelayTrouble ? consecutiveTransient + 1 : 0;
      if (consecutiveTransient >= maxConsecutiveTransient && !isStopping) {
        isStopping = true;
        stopReason = 'too many transient or uncertain failures in a row';
      }
      if (kind === 'hard_bounce') {
        bounced.push({ email: recipient.email, reply: outcome.smtpResponse ?? '' });
      }
    };

    // A lane holds one of the process's slots while it works: it writes the outcome of its
    // previous message and claims its next row in one request to the writer, then sends.
    const lane = async () => {
      const release = await slots.acquire();
      try {
        let previous: DeliveryOutcome | undefined;
        for (;;) {
          const next = isStopping || isShuttingDown ? undefined : queue.shift();
          if (queue.length === 0 || isStopping || isShuttingDown) enterTail();
          if (next) await takePermit();
          const [recorded, claim] = await Promise.all([
            previous ? writer.record(campaign.id, previous) : undefined,
            next ? writer.claim(campaign.id, next.deliveryId) : undefined,
          ]);
          previous = undefined;
          noteTotals(recorded);
          if (!next || !claim) break;
          noteTotals(claim.campaign);
          if (!claim.isClaimed) {
            // taken by another attempt, or the campaign stopped: no message, token unused
            permits += 1;
            if (claim.campaign?.status === 'sending') result.taken += 1;
            else result.released += 1;
            continue;
          }
          result.claimed += 1;
          const sent = await sendToRecipient(deps, {
            campaign,
            template: templates[next.locale],
            recipient: next,
            attempt,
          });
          noteResult(sent, next);
          previous = sent.outcome;
        }
      } finally {
        release();
      }
    };
    // A lane that fails (the database went away) stops the others at their next message, so no
    // lane keeps sending for a job that has already failed; the job's retry finds the rows whose
    // outcome could not be written still `sending` and marks them uncertain.
    const guardedLane = () =>
      lane().catch((error: unknown) => {
        isStopping = true;
        throw error;
      });
    if (queue.length === 0) enterTail();
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(maxInFlight, queue.length) }, guardedLane),
    );
    const broken = lanes.find((settled) => settled.status === 'rejected');
    if (broken) throw broken.reason;
    // never claimed: still `queued` for the job's next attempt
    result.released += queue.length;

    for (const bounce of bounced) {
      await deps
        .suppress(bounce.email, bounce.reply)
        .catch((error: unknown) =>
          log.error(
            { err: error, campaignId: campaign.id },
            'could not suppress a hard-bounced address',
          ),
        );
    }
    if (unanswered > 0) {
      log.warn(
        {
          campaignId: campaign.id,
          batchNo: job.batchNo,
          uncertain: unanswered,
          event: 'campaign.batch.relay_uncertain',
        },
        'relay gave no final reply after the message data: messages marked uncertain, not resent',
      );
    }
    const counts = totals ?? (await deps.campaigns.findById(deps.db, campaign.id)) ?? campaign;
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
      { campaignId: campaign.id, batchNo: job.batchNo, ...result, stopReason },
      'batch processed',
    );
    return result.released > 0 ? { ...result, outcome: 'retry' } : result;
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
