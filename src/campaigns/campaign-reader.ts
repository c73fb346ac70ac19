import { CampaignNotFoundError } from './errors.ts';
import type { Campaign, CampaignStatus, Segment } from './model.ts';
import type {
  AudienceStore,
  CampaignProgressStore,
  CampaignStore,
  DeliveryStore,
  StoreHandle,
} from './ports.ts';
import { buildSendingStatus, type SendingStatus, speedWindowSec } from './sending-status.ts';

/** Dependencies of {@link createCampaignReader}. */
export interface CampaignReaderDeps {
  db: StoreHandle;
  campaigns: Pick<CampaignStore, 'list' | 'findById'>;
  deliveries: Pick<DeliveryStore, 'topFailures'>;
  audience: Pick<AudienceStore, 'count'>;
  progress: CampaignProgressStore;
}

/** One of the most frequent failure replies of a campaign. */
export interface FailureReply {
  /** The SMTP reply, addresses replaced by `<…>`. */
  reply: string;
  count: number;
}

/** How many failure replies the status shows. @defaultValue 5 */
export const topFailureCount = 5;

/**
 * What the command line and the workspace read of campaigns: one code path for both. The
 * status of a campaign is one statement; callers asking for the same campaign while it runs
 * share its answer (a page polled by many editors costs one reading at a time), and nothing is
 * kept once it has answered.
 */
export function createCampaignReader(deps: CampaignReaderDeps) {
  const inFlight = new Map<number, Promise<SendingStatus>>();

  async function readStatus(id: number): Promise<SendingStatus> {
    const reading = await deps.progress.read(deps.db, id, speedWindowSec);
    if (!reading) throw new CampaignNotFoundError(id);
    return buildSendingStatus(reading);
  }

  return {
    /** Counts, speed and time left of one campaign (see `SendingStatusSchema`). */
    status(id: number): Promise<SendingStatus> {
      const shared = inFlight.get(id);
      if (shared) return shared;
      const reading = readStatus(id).finally(() => inFlight.delete(id));
      inFlight.set(id, reading);
      return reading;
    },

    /** One campaign as stored (segment, snapshot of the newsletter, checkpoint). */
    async campaign(id: number): Promise<Campaign> {
      const campaign = await deps.campaigns.findById(deps.db, id);
      if (!campaign) throw new CampaignNotFoundError(id);
      return campaign;
    },

    /** The most frequent failure replies, grouped by reply. */
    async topFailures(id: number, limit = topFailureCount): Promise<FailureReply[]> {
      return deps.deliveries.topFailures(deps.db, id, limit);
    },

    /**
     * How many subscribers the segment reaches today (active subscriptions of the newsletter,
     * suppressed addresses excluded): shown before a campaign is created.
     */
    async audienceSize(input: { newsletterId: string; segment: Segment }): Promise<number> {
      return deps.audience.count(deps.db, input);
    },

    /** The most recent campaigns first, optionally of one newsletter or some statuses. */
    async list(options: {
      limit: number;
      statuses?: CampaignStatus[];
      newsletterId?: string;
    }): Promise<Campaign[]> {
      return deps.campaigns.list(deps.db, options);
    },
  };
}

/** See {@link createCampaignReader}. */
export type CampaignReader = ReturnType<typeof createCampaignReader>;
