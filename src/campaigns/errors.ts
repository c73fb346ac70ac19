import { AppError, NotFoundError } from '../lib/index.ts';

/** No campaign has the id the caller gave. */
export class CampaignNotFoundError extends NotFoundError {
  constructor(campaignId: number) {
    super(`Campaign ${campaignId} does not exist`);
  }
}

/**
 * The action asked of a campaign does not fit its state, e.g. `pause` on a finished campaign.
 * Workers map it to BullMQ's `UnrecoverableError`; the CLI prints its message.
 */
export class CampaignNotSendableError extends AppError {
  constructor(message: string) {
    super('ECAMPAIGNSTATE', message);
  }
}

/** The `--segment` text of `campaign create` could not be read. */
export class SegmentInvalidError extends AppError {
  constructor(message: string) {
    super('ESEGMENT', message);
  }
}
