import type {
  Campaign,
  CampaignTotals,
  ClaimedRecipient,
  DeliveryOutcome,
} from '../campaigns/index.ts';
import type { Locale } from '../lib/index.ts';
import type { MessageTemplate } from '../mail/index.ts';
import type { Lanes } from './lanes.ts';
import { createPermits, type MessageRateLimiter, type Permits } from './permits.ts';
import type { ProgressWriter } from './progress-writer.ts';
import { type RecipientResult, type RecipientSendDeps, sendToRecipient } from './send-recipient.ts';

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

/** A result with nothing done yet. */
export function emptyBatchResult(): BatchResult {
  return {
    outcome: 'sent',
    claimed: 0,
    sent: 0,
    failed: 0,
    released: 0,
    uncertain: 0,
    skipped: 0,
    taken: 0,
  };
}

/** What a {@link BatchRun} works with: the process's parts and this batch's campaign. */
export interface BatchRunContext {
  send: RecipientSendDeps;
  rateLimiter: MessageRateLimiter;
  writer: Pick<ProgressWriter, 'claim' | 'record'>;
  /** The process's lanes: one per message in flight, over all batches. */
  lanes: Lanes;
  maxInFlight: number;
  maxConsecutiveTransient: number;
  /** True once the process shuts down: lanes stop at their next message. */
  isShuttingDown: () => boolean;
  /** Called when the batch has nothing left to claim (idempotent). */
  enterTail: () => void;
  campaign: Campaign;
  templates: Record<Locale, MessageTemplate>;
  attempt: BatchAttempt;
}

/**
 * The state of one batch while its lanes send it: the rows not yet claimed, the counts of the
 * result, the campaign's totals as last seen, the rate-limit tokens, and why the batch stops
 * early. Each lane claims its next row, sends it and writes its outcome together with its next
 * claim; what one lane learns (the campaign paused, the relay failing) stops the others at their
 * next message.
 */
export class BatchRun {
  readonly result: BatchResult;
  /** Rows not yet claimed, in delivery-id order. */
  readonly #queue: ClaimedRecipient[];
  readonly #context: BatchRunContext;
  readonly #permits: Permits;
  /** The campaign's status and counts as the latest write returned them. */
  #totals: CampaignTotals | undefined;
  readonly #bounced: Array<{ email: string; reply: string }> = [];
  #consecutiveTransient = 0;
  /** Messages whose data went to the relay without a final reply. */
  #unanswered = 0;
  #isStopping = false;
  #stopReason: string | undefined;

  constructor(context: BatchRunContext, recipients: ClaimedRecipient[], result: BatchResult) {
    this.#context = context;
    this.#queue = [...recipients];
    this.result = result;
    this.#permits = createPermits(context.rateLimiter, () => this.#queue.length + 1);
  }

  /** The campaign's totals as last seen by a write; undefined when no write returned them. */
  get totals(): CampaignTotals | undefined {
    return this.#totals;
  }

  /** Hard-bounced addresses met, with their reply, to suppress once the batch is done. */
  get bounced(): ReadonlyArray<{ email: string; reply: string }> {
    return this.#bounced;
  }

  /** Messages of this run that went to the relay without a final reply. */
  get unanswered(): number {
    return this.#unanswered;
  }

  /** Why the batch stopped before its end, if it did. */
  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  /**
   * Runs the lanes until every row is claimed or the batch stops; rows never claimed stay
   * `queued` for the job's next attempt. A lane that fails (the database went away) stops the
   * others at their next message, so no lane keeps sending for a job that has already failed; the
   * job's retry finds the rows whose outcome could not be written still `sending` and marks them
   * uncertain.
   */
  async sendAll(): Promise<void> {
    if (this.#queue.length === 0) this.#context.enterTail();
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(this.#context.maxInFlight, this.#queue.length) }, () =>
        this.#lane().catch((error: unknown) => {
          this.#isStopping = true;
          throw error;
        }),
      ),
    );
    const broken = lanes.find((settled) => settled.status === 'rejected');
    if (broken) throw broken.reason;
    this.result.released += this.#queue.length;
  }

  /**
   * One lane holds one of the process's lanes while it works: it writes the outcome of its
   * previous message and claims its next row in one request to the writer, then sends.
   */
  async #lane(): Promise<void> {
    const { writer, campaign } = this.#context;
    const release = await this.#context.lanes.acquire();
    try {
      let previous: DeliveryOutcome | undefined;
      for (;;) {
        const isHalted = this.#isStopping || this.#context.isShuttingDown();
        const next = isHalted ? undefined : this.#queue.shift();
        if (this.#queue.length === 0 || isHalted) this.#context.enterTail();
        if (next) await this.#permits.take();
        const [recorded, claim] = await Promise.all([
          previous ? writer.record(campaign.id, previous) : undefined,
          next ? writer.claim(campaign.id, next.deliveryId) : undefined,
        ]);
        previous = undefined;
        this.#noteTotals(recorded);
        if (!next || !claim) break;
        this.#noteTotals(claim.campaign);
        if (!claim.isClaimed) {
          // taken by another attempt, or the campaign stopped: no message, token unused
          this.#permits.giveBack();
          if (claim.campaign?.status === 'sending') this.result.taken += 1;
          else this.result.released += 1;
          continue;
        }
        this.result.claimed += 1;
        const sent = await sendToRecipient(this.#context.send, {
          campaign,
          template: this.#context.templates[next.locale],
          recipient: next,
          attempt: this.#context.attempt,
        });
        this.#noteResult(sent, next);
        previous = sent.outcome;
      }
    } finally {
      release();
    }
  }

  /** The batch stops at the lanes' next message; the first reason given is kept. */
  #stop(reason: string): void {
    if (this.#isStopping) return;
    this.#isStopping = true;
    this.#stopReason = reason;
  }

  #noteTotals(seen: CampaignTotals | undefined): void {
    if (!seen) return;
    this.#totals = seen;
    if (seen.status !== 'sending') this.#stop(`campaign is ${seen.status}`);
  }

  #noteResult({ outcome, kind }: RecipientResult, recipient: ClaimedRecipient): void {
    if (outcome.status === 'sent') this.result.sent += 1;
    else if (outcome.status === 'failed') this.result.failed += 1;
    else if (outcome.status === 'uncertain') {
      this.result.uncertain += 1;
      this.#unanswered += 1;
    } else this.result.released += 1;
    // a relay that drops connections mid-data is failing too: stop before more go uncertain
    const isRelayTrouble = kind === 'transient' || kind === 'uncertain';
    this.#consecutiveTransient = isRelayTrouble ? this.#consecutiveTransient + 1 : 0;
    if (this.#consecutiveTransient >= this.#context.maxConsecutiveTransient) {
      this.#stop('too many transient or uncertain failures in a row');
    }
    if (kind === 'hard_bounce') {
      this.#bounced.push({ email: recipient.email, reply: outcome.smtpResponse ?? '' });
    }
  }
}
