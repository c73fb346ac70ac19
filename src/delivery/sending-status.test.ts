import { describe, expect, it } from 'vitest';

import type { Campaign } from './campaign.ts';
import type { CampaignProgress } from './delivery-service.ts';
import { buildSendingStatus, describeStall, formatDuration } from './sending-status.ts';

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

describe('describeStall', () => {
  const at = (iso: string) => new Date(iso);
  const campaign = (status: Campaign['status'], updatedAt: string) => ({
    id: 3,
    status,
    updatedAt: at(updatedAt),
  });
  const now = at('2026-11-05T08:30:00Z');

  it('says nothing of a campaign that moved recently, is not sending or has nothing left', () => {
    expect(describeStall(campaign('sending', '2026-11-05T08:27:00Z'), 10, now)).toBeNull();
    expect(describeStall(campaign('paused', '2026-11-05T07:00:00Z'), 10, now)).toBeNull();
    expect(describeStall(campaign('sending', '2026-11-05T07:00:00Z'), 0, now)).toBeNull();
  });

  it('before the watchdog: says when it will enqueue the campaign again', () => {
    expect(describeStall(campaign('sending', '2026-11-05T08:23:00Z'), 10, now)).toBe(
      'no progress for 7 min (last outcome at 2026-11-05T08:23:00.000Z): a running ' +
        "worker's watchdog enqueues it again at about 2026-11-05T08:33:00.000Z; if nothing " +
        "moves, check that a 'depeche worker' runs and that its log shows no Redis, database " +
        "or SMTP relay errors; 'depeche campaign resume 3' enqueues its batches again now",
    );
  });

  it('past the watchdog: says what to check and how to resume', () => {
    const stall = describeStall(campaign('sending', '2026-11-05T08:00:00Z'), 10, now);
    expect(stall).toMatch(/^no progress for 30 min .*, past the 10 min after which/);
    expect(stall).toContain("'depeche campaign resume 3'");
  });

  it('is part of the status only when the time is given', () => {
    const stalled = {
      ...progress({ queued: 5 }),
      campaign: { ...progress({}).campaign, updatedAt: at('2026-11-05T08:00:00Z') },
    };
    expect(buildSendingStatus(stalled).stall).toBeNull();
    expect(buildSendingStatus(stalled, [], now).stall).toMatch(/^no progress for 30 min/);
  });
});
