import { describe, expect, it } from 'vitest';

import type { Campaign } from './campaign.ts';
import type { CampaignProgress } from './delivery-service.ts';
import { buildSendingStatus, formatDuration } from './sending-status.ts';

const progress = (counts: Partial<CampaignProgress['counts']>): CampaignProgress => ({
  campaign: {
    id: 3,
    status: 'sending',
    statusReason: null,
    issueKey: 'adn/2026-11',
    isFanoutDone: true,
  } as Campaign,
  counts: { queued: 0, sending: 0, sent: 0, failed: 0, uncertain: 0, skipped: 0, ...counts },
  remaining: 0,
  topFailures: [],
});

describe('buildSendingStatus', () => {
  it('derives speed and time left from samples', () => {
    const status = buildSendingStatus(progress({ sent: 600, failed: 0, queued: 400, sending: 0 }), [
      { atMs: 0, finished: 100 },
      { atMs: 10_000, finished: 600 },
    ]);
    expect(status).toMatchObject({
      total: 1000,
      remaining: 400,
      messagesPerSecond: 50,
      etaSeconds: 8,
    });
  });

  it('knows no speed from one sample', () => {
    const status = buildSendingStatus(progress({ queued: 10 }), [{ atMs: 0, finished: 0 }]);
    expect(status.messagesPerSecond).toBeNull();
    expect(status.etaSeconds).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [12, '12 s'],
    [185, '3 min 05 s'],
    [3720, '1 h 02 min'],
  ])('%s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
