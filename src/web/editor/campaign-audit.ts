import type { FastifyRequest } from 'fastify';

import type { Campaign } from '../../campaigns/index.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { editorOf } from './session.ts';

/**
 * Appends `campaign.<action>` to the audit log with the signed-in editor as actor, as the
 * command line does with the OS user: the campaign's issue and new status, and `details`.
 */
export async function recordCampaignAction(
  deps: Pick<CampaignDeps, 'audit' | 'clock'>,
  request: FastifyRequest,
  action: string,
  campaign: Campaign,
  details: Record<string, unknown> = {},
): Promise<void> {
  const editor = editorOf(request);
  await deps.audit.append(
    {
      actor: { kind: 'editor', editorId: editor.id, name: editor.email },
      action: `campaign.${action}`,
      objectType: 'campaign',
      objectId: String(campaign.id),
      details: { issueKey: campaign.issueKey, status: campaign.status, ...details },
    },
    deps.clock.now(),
  );
}
