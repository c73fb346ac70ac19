import type { BounceSummary } from '../../bounces/index.ts';
import type { CampaignReader, CampaignService } from '../../campaigns/index.ts';
import type { AuditStore } from '../../editors/index.ts';
import type { Clock } from '../../lib/index.ts';

/**
 * What the campaign pages need: the delivery service (the same actions and queue path as
 * `depeche campaign …`), the campaign reader (the same status as `campaign status`), the audit
 * log to record each action with the editor as actor, and the clock.
 */
export interface CampaignDeps {
  delivery: Pick<
    CampaignService,
    'create' | 'preflight' | 'send' | 'schedule' | 'pause' | 'resume' | 'cancel' | 'retry'
  >;
  reader: CampaignReader;
  audit: Pick<AuditStore, 'append'>;
  clock: Clock;
  /**
   * What came back of a campaign (bounces by class, complaints, their rates over the `sent`
   * messages), as `campaign status` prints it; the page has no such section without it.
   */
  bounces?: (campaignId: number, sent: number) => Promise<BounceSummary>;
}
