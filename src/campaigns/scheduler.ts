import type { Clock, Logger } from '../lib/index.ts';
import type { SchedulerJob } from '../queue/contract.ts';
import type { FanOut } from './fan-out.ts';
import type { Lifecycle } from './lifecycle.ts';
import { decideScheduledStart, planTransition } from './model.ts';
import type { CampaignStore, DeliveryEnqueuer, StoreHandle } from './ports.ts';
import { idleRekickMs } from './sending-status.ts';

/** Dependencies of {@link createScheduler}. */
export interface SchedulerDeps {
  db: StoreHandle;
  campaigns: Pick<
    CampaignStore,
    | 'listDueScheduled'
    | 'applyTransition'
    | 'setStatusReason'
    | 'listIdleSending'
    | 'completeIfFinished'
  >;
  enqueue: Pick<DeliveryEnqueuer, 'fanOut'>;
  fanOut: Pick<FanOut, 'enqueuePending'>;
  sendingStarted: Lifecycle['sendingStarted'];
  clock: Clock;
  log: Logger;
  /** CAMPAIGN_REKICK_AFTER_SEC in ms. @defaultValue {@link idleRekickMs} */
  idleRekickMs?: number | undefined;
}

/**
 * The periodic sweep: starts scheduled campaigns whose time has come and enqueues again the
 * sending campaigns that stopped moving.
 */
export function createScheduler(deps: SchedulerDeps) {
  const { log } = deps;

  /**
   * The watchdog of the periodic sweep: a sending campaign with no outcome recorded for
   * `idleRekickMs` gets its fan-out and pending batches enqueued again. Safe because job
   * ids are deterministic (waiting, delayed or active jobs are left alone; failed ones, e.g. a
   * job that stalled too often, are replaced) and because claims are atomic.
   */
  async function rekickIdle(now: Date) {
    const idle = await deps.campaigns.listIdleSending(
      deps.db,
      new Date(now.getTime() - (deps.idleRekickMs ?? idleRekickMs)),
    );
    for (const campaign of idle) {
      if (!campaign.isFanoutDone) await deps.enqueue.fanOut(campaign.id);
      const batchNos = await deps.fanOut.enqueuePending(campaign.id, true);
      await deps.campaigns.completeIfFinished(deps.db, campaign.id, now);
      log.warn(
        { campaignId: campaign.id, batches: batchNos.length, event: 'campaign.rekicked' },
        'idle sending campaign enqueued again',
      );
    }
  }

  return {
    /**
     * The scheduler job: starts due scheduled campaigns; one more than 6 hours late waits for
     * `send` and says so in its status reason.
     */
    async run(job: SchedulerJob): Promise<{ started: number[] }> {
      const now = deps.clock.now();
      const due = await deps.campaigns.listDueScheduled(deps.db, now);
      const started: number[] = [];
      for (const campaign of due) {
        if (job.campaignId !== undefined && campaign.id !== job.campaignId) continue;
        const decision = decideScheduledStart(campaign, now);
        if (decision === 'start') {
          const updated = await deps.campaigns.applyTransition(
            deps.db,
            campaign.id,
            planTransition(campaign, { kind: 'send' }, now),
            now,
          );
          if (updated) {
            await deps.enqueue.fanOut(campaign.id);
            started.push(campaign.id);
            await deps.sendingStarted(updated, 'schedule');
          }
        } else if (decision === 'overdue' && campaign.statusReason === null) {
          const reason =
            `scheduled for ${campaign.scheduledAt?.toISOString()} but found more than 6 hours ` +
            `late at ${now.toISOString()}: waiting for 'depeche campaign send ${campaign.id}'`;
          await deps.campaigns.setStatusReason(deps.db, campaign.id, reason, now);
          log.warn(
            { campaignId: campaign.id, event: 'campaign.schedule.overdue' },
            'overdue campaign waits',
          );
        }
      }
      if (job.campaignId === undefined) await rekickIdle(now);
      return { started };
    },
  };
}

/** See {@link createScheduler}. */
export type Scheduler = ReturnType<typeof createScheduler>;
