import type { Clock, Logger } from '../lib/index.ts';
import { CampaignNotFoundError, CampaignNotSendableError } from './errors.ts';
import { type Campaign, type CampaignAction, planTransition } from './model.ts';
import type { CampaignStore, StoreHandle } from './ports.ts';

/** Dependencies of {@link createLifecycle}. */
export interface LifecycleDeps {
  db: StoreHandle;
  campaigns: Pick<CampaignStore, 'findById' | 'applyTransition'>;
  clock: Clock;
  log: Logger;
  /** Told once a campaign started sending; a failure is logged, the campaign sends anyway. */
  onSendingStarted?: ((campaign: Campaign, how: 'send' | 'schedule') => Promise<void>) | undefined;
}

/**
 * The steps every campaign action shares: load a campaign, apply one move of the status machine
 * (`planTransition`) so that of two concurrent actions only one wins, and say that a campaign
 * started sending.
 */
export function createLifecycle(deps: LifecycleDeps) {
  const { log } = deps;

  async function load(id: number): Promise<Campaign> {
    const campaign = await deps.campaigns.findById(deps.db, id);
    if (!campaign) throw new CampaignNotFoundError(id);
    return campaign;
  }

  return {
    load,

    /** Applies `action` to the campaign as it is now. */
    async transition(id: number, action: CampaignAction): Promise<Campaign> {
      const campaign = await load(id);
      const now = deps.clock.now();
      const updated = await deps.campaigns.applyTransition(
        deps.db,
        id,
        planTransition(campaign, action, now),
        now,
      );
      if (!updated) {
        throw new CampaignNotSendableError(
          `Campaign ${id} changed state while '${action.kind}' was applied; look at its status and try again`,
        );
      }
      log.info(
        { campaignId: id, from: campaign.status, to: updated.status },
        'campaign state changed',
      );
      return updated;
    },

    /** Tells `onSendingStarted` (the review marks the issue sent), never failing the caller. */
    async sendingStarted(campaign: Campaign, how: 'send' | 'schedule'): Promise<void> {
      if (!deps.onSendingStarted) return;
      try {
        await deps.onSendingStarted(campaign, how);
      } catch (error) {
        log.warn(
          { err: error, campaignId: campaign.id, event: 'campaign.issue_mark_sent.failed' },
          'issue not marked sent',
        );
      }
    },
  };
}

/** See {@link createLifecycle}. */
export type Lifecycle = ReturnType<typeof createLifecycle>;
