import type {
  CampaignRepository,
  ClaimedRecipient,
  Database,
  DeliveryOutcome,
  DeliveryRepository,
} from '../db/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { type Campaign, isErrorRateExceeded, isSendable, planTransition } from './campaign.ts';
import type { CampaignMessages } from './campaign-messages.ts';
import { CampaignNotFoundError } from './errors.ts';
import type { MailTransport } from './mail-transport.ts';
import type { SendBatchJob } from './queue-contract.ts';
import type { RecipientLinkBuilder } from './recipient-links.ts';
import { sendToRecipient } from './send-recipient.ts';

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
  /** Messages of one batch in flight at once. @defaultValue 4 */
  parallelism?: number;
  /** Outcomes written per flush; smaller means fewer `uncertain` rows after a crash. @defaultValue 25 */
  flushEvery?: number;
  /** Consecutive transient failures after which the rest of the batch waits for the retry. @defaultValue 10 */
  maxConsecutiveTransient?: number;
}

/** Dependencies of {@link createBatchSender}, narrowed to what sending uses. */
export interface BatchSenderDeps {
  db: Database;
  campaigns: Pick<
    CampaignRepository,
    'findById' | 'addOutcomeCounts' | 'applyTransition' | 'completeIfFinished'
  >;
  deliveries: Pick<DeliveryRepository, 'markAbandonedUncertain' | 'claimBatch' | 'recordOutcomes'>;
  messages: Pick<CampaignMessages, 'templateFor'>;
  links: RecipientLinkBuilder;
  greetingFor: (name: string | null, locale: 'fr' | 'en') => string;
  /** Suppresses a hard-bounced address (the subscribers' `suppress`). */
  suppress: (email: string, detail: string) => Promise<void>;
  transport: MailTransport;
  rateLimiter: MessageRateLimiter;
  logger: Logger;
  clock: Clock;
  options: BatchSenderOptions;
}

/** What one run of a send job did. */
export interface BatchResult {
  outcome: 'sent' | 'not-sendable' | 'retry';
  claimed: number;
  sent: number;
  failed: number;
  /** Rows given back to the queue after a transient failure. */
  released: number;
  /** Rows of a dead attempt found `sending`, now `uncertain`. */
  uncertain: number;
  skipped: number;
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
 * `uncertain`, claims the queued rows, fills each recipient's copy and hands it to the
 * transport, and writes outcomes every `flushEvery` messages. One recipient's failure never
 * stops the others; transient failures give rows back and report `retry`.
 */
export function createBatchSender(deps: BatchSenderDeps) {
  const log = deps.logger.child({ component: 'send-batch' });
  let isShuttingDown = false;
  const parallelism = deps.options.parallelism ?? 4;
  const flushEvery = deps.options.flushEvery ?? 25;
  const maxConsecutiveTransient = deps.options.maxConsecutiveTransient ?? 10;

  async function flush(campaign: Campaign, outcomes: DeliveryOutcome[]) {
    if (outcomes.length === 0) return undefined;
    const batch = outcomes.splice(0, outcomes.length);
    return deps.db.transaction(async (tx) => {
      const delta = await deps.deliveries.recordOutcomes(tx, batch);
      return deps.campaigns.addOutcomeCounts(tx, campaign.id, delta);
    });
  }

  async function sendBatch(job: SendBatchJob, attempt: BatchAttempt): Promise<BatchResult> {
    const result: BatchResult = {
      outcome: 'sent',
      claimed: 0,
      sent: 0,
      failed: 0,
      released: 0,
      uncertain: 0,
      skipped: 0,
    };
    const campaign = await deps.campaigns.findById(deps.db, job.campaignId);
    if (!campaign) throw new CampaignNotFoundError(job.campaignId);
    if (!isSendable(campaign.status)) return { ...result, outcome: 'not-sendable' };

    // Encode the templates before claiming: a broken snapshot must not leave rows `sending`.
    await deps.messages.templateFor(campaign, 'fr');
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
    const claim = await deps.deliveries.claimBatch(deps.db, {
      ...job,
      newsletterId: campaign.newsletterId,
    });
    result.claimed = claim.recipients.length;
    result.skipped = claim.skippedCount;

    const outcomes: DeliveryOutcome[] = [];
    const bounced: Array<{ email: string; reply: string }> = [];
    const queue = [...claim.recipients];
    let permits = 0;
    let consecutiveTransient = 0;
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

    const record = async (outcome: DeliveryOutcome) => {
      outcomes.push(outcome);
      if (outcome.status === 'sent') result.sent += 1;
      else if (outcome.status === 'failed') result.failed += 1;
      else result.released += 1;
      if (outcomes.length >= flushEvery) {
        const totals = await flush(campaign, outcomes);
        if (totals && totals.status !== 'sending') {
          isStopping = true;
          stopReason = `campaign is ${totals.status}`;
        }
      }
    };

    const sendOne = async (recipient: ClaimedRecipient) => {
      const template = await deps.messages.templateFor(campaign, recipient.locale);
      const { outcome, kind } = await sendToRecipient(deps, {
        campaign,
        template,
        recipient,
        attempt,
      });
      consecutiveTransient = kind === 'transient' ? consecutiveTransient + 1 : 0;
      if (consecutiveTransient >= maxConsecutiveTransient) {
        isStopping = true;
        stopReason = 'too many transient failures in a row';
      }
      if (kind === 'hard_bounce') {
        bounced.push({ email: recipient.email, reply: outcome.smtpResponse ?? '' });
      }
      await record(outcome);
    };

    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (isStopping || isShuttingDown) {
          await record({
            deliveryId: next.deliveryId,
            status: 'queued',
            smtpResponse: null,
            messageId: null,
          });
          continue;
        }
        await takePermit();
        await sendOne(next);
      }
    };
    // A lane that fails (the database went away) stops the others at their next message, so no
    // lane keeps sending for a job that has already failed; the job's retry finds the rows it
    // could not record `sending` and marks them uncertain.
    const guardedLane = () =>
      lane().catch((error: unknown) => {
        isStopping = true;
        throw error;
      });
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(parallelism, queue.length) }, guardedLane),
    );
    const broken = lanes.find((settled) => settled.status === 'rejected');
    if (broken) throw broken.reason;
    const totals = await flush(campaign, outcomes);

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
  };
}

/** See {@link createBatchSender}. */
export type BatchSender = ReturnType<typeof createBatchSender>;
