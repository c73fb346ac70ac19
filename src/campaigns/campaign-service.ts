import { guardLocator, pastDeadlineFindings } from '../compose/index.ts';
import { IssueFileInvalidError } from '../content/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { NotFoundError } from '../lib/index.ts';
import type { FanOutJob, SchedulerJob } from '../queue/contract.ts';
import {
  type ApprovalLookup,
  CampaignRefusedError,
  gateFindings,
  type GateReport,
  type GateRequest,
} from './campaign-gate.ts';
import { createFanOut } from './fan-out.ts';
import type { PreparedIssue } from './issue-snapshot.ts';
import { createLifecycle } from './lifecycle.ts';
import { type Campaign, type DeliveryCounts, planTransition, type Segment } from './model.ts';
import type {
  AudienceStore,
  CampaignStore,
  DeliveryEnqueuer,
  DeliveryStore,
  StoreHandle,
} from './ports.ts';
import { createScheduler } from './scheduler.ts';

/** Dependencies of {@link createCampaignService}. */
export interface CampaignServiceDeps {
  db: StoreHandle;
  campaigns: CampaignStore;
  deliveries: DeliveryStore;
  audience: AudienceStore;
  enqueue: DeliveryEnqueuer;
  /** Loads and renders an issue as of a send time (see `createIssuePreparer`). */
  prepareIssue: (ref: string, options: { asOf?: Date }) => Promise<PreparedIssue>;
  /**
   * The review's verdict on an issue's content (file hash). Without it no approval is asked
   * (tools and tests that create campaigns from snapshots alone).
   */
  approvalOf?: ApprovalLookup;
  logger: Logger;
  clock: Clock;
  /** SEND_BATCH_SIZE: recipients per send job. */
  batchSize: number;
  /** Delivery rows inserted per fan-out transaction. @defaultValue 20000 */
  fanOutPageSize?: number;
  /** CAMPAIGN_REKICK_AFTER_SEC in ms. @defaultValue 10 minutes (`idleRekickMs`) */
  idleRekickMs?: number;
  /**
   * Called once a campaign started sending (`send`, or the scheduler's start of a scheduled
   * campaign): the review marks its issue sent. A failure is logged; the campaign sends anyway.
   */
  onSendingStarted?: ((campaign: Campaign, how: 'send' | 'schedule') => Promise<void>) | undefined;
}

function guardLocatorOf(prepared: PreparedIssue) {
  return guardLocator(prepared.source);
}

/** What `create` and `preflight` take: the issue, the audience and the send-time decisions. */
export interface CreateInput {
  issueRef: string;
  segment: Segment;
  /** Planned send time (the schedule time when known). @defaultValue now */
  sendAt?: Date;
  /** Confirms sending although part of the audience already got the issue. */
  confirmOverlap?: boolean;
  /** Creates without an approved review (emergencies; the caller audits it). */
  skipReview?: boolean;
}

/** A campaign with its delivery counts and failure replies (what the status reads is `createCampaignReader`). */
export interface CampaignProgress {
  campaign: Campaign;
  counts: DeliveryCounts;
  /** Rows not yet sent, failed, uncertain or skipped. */
  remaining: number;
  topFailures: Array<{ reply: string; count: number }>;
}

/**
 * Campaign lifecycle and fan-out: what `depeche campaign …` and the fan-out and scheduler
 * jobs call. Sending itself is `createBatchSender`.
 */
export function createCampaignService(deps: CampaignServiceDeps) {
  const log = deps.logger.child({ component: 'delivery' });
  const { load, transition, sendingStarted } = createLifecycle({ ...deps, log });
  const fanOut = createFanOut({ ...deps, load, log, pageSize: deps.fanOutPageSize });
  const scheduler = createScheduler({ ...deps, fanOut, sendingStarted, log });
  const { enqueuePending } = fanOut;

  /** Loads, renders and runs the send guards (see `gateFindings`); creates nothing. */
  async function runGate(
    input: CreateInput,
  ): Promise<{ prepared: PreparedIssue; report: GateReport; request: GateRequest }> {
    const request: GateRequest = {
      sendAt: input.sendAt ?? deps.clock.now(),
      ...(input.confirmOverlap === undefined ? {} : { confirmOverlap: input.confirmOverlap }),
      ...(input.skipReview === undefined ? {} : { skipReview: input.skipReview }),
    };
    const prepared = await deps.prepareIssue(input.issueRef, { asOf: request.sendAt });
    const { issueKey, newsletterId } = prepared.snapshot;
    const overlap = await deps.audience.countOverlap(deps.db, {
      issueKey,
      newsletterId,
      segment: input.segment,
    });
    const approval = deps.approvalOf
      ? await deps.approvalOf(issueKey, prepared.fileHash ?? prepared.snapshot.contentHash)
      : undefined;
    const report = gateFindings(prepared, request, {
      overlapCount: overlap.count,
      overlapCampaignIds: overlap.campaignIds,
      approval,
    });
    return { prepared, report, request };
  }

  return {
    /**
     * What the send guards say about a campaign of `issueRef` to `segment` at `sendAt`, without
     * creating it (the review step of the workspace shows it before the editor confirms).
     */
    async preflight(input: CreateInput): Promise<GateReport & { issueKey: string }> {
      const { prepared, report } = await runGate(input);
      return { ...report, issueKey: prepared.snapshot.issueKey };
    },

    /**
     * Renders the issue per language as of the planned send time and stores a draft campaign
     * with its segment, once the send guards allow it.
     * @throws CampaignRefusedError naming each blocking finding; nothing is created then.
     */
    async create(input: CreateInput) {
      const { prepared, report, request } = await runGate(input);
      const { snapshot } = prepared;
      if (!report.isAllowed) {
        throw new CampaignRefusedError(snapshot.issueKey, report.findings, {
          confirmOverlap: request.confirmOverlap,
          overlapCount: report.overlapCount,
        });
      }
      const campaign = await deps.campaigns.create(deps.db, {
        ...snapshot,
        segment: input.segment,
      });
      const audienceCount = await deps.audience.count(deps.db, {
        newsletterId: campaign.newsletterId,
        segment: campaign.segment,
      });
      log.info(
        {
          campaignId: campaign.id,
          issueKey: campaign.issueKey,
          audienceCount,
          overlapCount: report.overlapCount,
          isReviewSkipped: report.approval?.approved === false,
        },
        'campaign created',
      );
      return { campaign, audienceCount, gate: report };
    },

    /** Starts sending now (a draft, or a scheduled campaign, overdue or not). */
    async send(id: number) {
      const campaign = await transition(id, { kind: 'send' });
      await deps.enqueue.fanOut(id);
      await sendingStarted(campaign, 'send');
      return campaign;
    },

    /**
     * Schedules the campaign at `at`, once no deadline of its issue file is past on that date.
     * @throws CampaignRefusedError naming each past deadline.
     */
    async schedule(id: number, at: Date) {
      const current = await load(id);
      let prepared: PreparedIssue | undefined;
      try {
        prepared = await deps.prepareIssue(current.issueKey, { asOf: at });
      } catch (error) {
        // The file is gone or broken now: the campaign's snapshot is what goes out, and it was
        // checked when created; nothing to re-check.
        if (!(error instanceof NotFoundError || error instanceof IssueFileInvalidError)) {
          throw error;
        }
      }
      if (prepared) {
        const findings = pastDeadlineFindings(prepared.issue, at, guardLocatorOf(prepared));
        if (findings.length > 0) {
          throw new CampaignRefusedError(current.issueKey, findings, { what: 'scheduled' });
        }
      }
      const campaign = await transition(id, { kind: 'schedule', at });
      await deps.enqueue.scheduledStart(id, at);
      return campaign;
    },

    /** Stops sending: running batches stop at their next message; rows stay queued. */
    pause: (id: number) => transition(id, { kind: 'pause', reason: 'paused by an editor' }),

    /** Sends again what is queued (also re-kicks a `sending` campaign whose jobs were lost). */
    async resume(id: number) {
      const campaign = await transition(id, { kind: 'resume' });
      if (!campaign.isFanoutDone) await deps.enqueue.fanOut(id);
      await enqueuePending(id, true);
      return campaign;
    },

    /**
     * Stops a campaign for good: messages in flight finish, the rows still queued become
     * `skipped` ("campaign cancelled"), so nothing shows as remaining.
     */
    async cancel(id: number) {
      const campaign = await transition(id, { kind: 'cancel' });
      const skipped = await deps.deliveries.skipQueued(deps.db, id, 'campaign cancelled');
      log.info({ campaignId: id, skipped }, 'queued messages of a cancelled campaign skipped');
      return campaign;
    },

    /**
     * Gives failed (or uncertain) rows back to the queue and sends them. A campaign that was not
     * sending (paused, done) sends again: its fan-out if unfinished and every batch that has
     * queued rows, not only the retried ones, so nothing of a paused campaign waits for `resume`.
     */
    async retry(id: number, from: 'failed' | 'uncertain') {
      const campaign = await load(id);
      planTransition(campaign, { kind: 'retry' }, deps.clock.now());
      const { count } = await deps.deliveries.requeue(deps.db, id, from);
      if (count === 0) return { campaign, requeued: 0 };
      const updated =
        campaign.status === 'sending' ? campaign : await transition(id, { kind: 'retry' });
      if (!updated.isFanoutDone) await deps.enqueue.fanOut(id);
      await enqueuePending(id, true);
      return { campaign: updated, requeued: count };
    },

    async progress(id: number): Promise<CampaignProgress> {
      const campaign = await load(id);
      const counts = await deps.deliveries.countByStatus(deps.db, id);
      const topFailures = await deps.deliveries.topFailures(deps.db, id);
      return { campaign, counts, remaining: counts.queued + counts.sending, topFailures };
    },

    /** The fan-out job (see `createFanOut`). */
    fanOut: (job: FanOutJob) => fanOut.run(job),

    /** The scheduler job (see `createScheduler`). */
    runScheduler: (job: SchedulerJob) => scheduler.run(job),
  };
}

/** See {@link createCampaignService}. */
export type CampaignService = ReturnType<typeof createCampaignService>;
