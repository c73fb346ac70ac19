import type { Campaign, CampaignBody } from '../campaigns/index.ts';
import { buildMessageTemplate, type MessageTemplate } from '../mail/index.ts';

/** Options of {@link createCampaignMessages}. */
export interface CampaignMessagesOptions {
  /** UNSUBSCRIBE_MAILTO, written into List-Unsubscribe when set. */
  unsubscribeMailto?: string | undefined;
  /** Campaigns whose templates stay in memory. @defaultValue 8 */
  maxCampaigns?: number;
}

/**
 * The MIME templates of a campaign, encoded once per language and process from the stored
 * snapshot and kept in memory (keyed by campaign id and content hash), so a worker encodes
 * each issue once however many batches it sends.
 */
export function createCampaignMessages(
  loadBodies: (campaignId: number) => Promise<CampaignBody[]>,
  options: CampaignMessagesOptions = {},
) {
  const cache = new Map<string, Promise<Map<string, MessageTemplate>>>();
  const maxCampaigns = options.maxCampaigns ?? 8;

  async function build(campaign: Campaign): Promise<Map<string, MessageTemplate>> {
    const templates = new Map<string, MessageTemplate>();
    for (const body of await loadBodies(campaign.id)) {
      templates.set(
        body.locale,
        buildMessageTemplate(body, campaign.newsletter, {
          unsubscribeMailto: options.unsubscribeMailto,
        }),
      );
    }
    return templates;
  }

  return {
    /** The template for `locale`, falling back to French, then to any stored language. */
    async templateFor(campaign: Campaign, locale: string): Promise<MessageTemplate> {
      const key = `${campaign.id}:${campaign.contentHash}`;
      let entry = cache.get(key);
      if (!entry) {
        if (cache.size >= maxCampaigns) cache.delete(cache.keys().next().value as string);
        entry = build(campaign);
        entry.catch(() => cache.delete(key));
        cache.set(key, entry);
      }
      const templates = await entry;
      const template = templates.get(locale) ?? templates.get('fr') ?? [...templates.values()][0];
      if (!template) throw new Error(`Campaign ${campaign.id} has no rendered body`);
      return template;
    },
  };
}

/** See {@link createCampaignMessages}. */
export type CampaignMessages = ReturnType<typeof createCampaignMessages>;
