import { describe, expect, it } from 'vitest';

import {
  assessFeedHealth,
  type FeedHealth,
  medianGapSec,
  silenceThresholdDays,
} from './feed-health.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-20T00:00:00Z');
const healthy: FeedHealth = {
  newsletterId: 'adn',
  feedUrl: 'https://agency.example.org/rss.xml',
  name: 'Agency',
  etag: null,
  lastModified: null,
  lastPolledAt: now,
  lastSuccessAt: now,
  lastErrorAt: null,
  lastError: null,
  lastErrorReason: null,
  consecutiveFailures: 0,
  itemsSeen: 10,
  lastEntryCount: 10,
  lastNewItemAt: new Date(now.getTime() - 2 * DAY),
  newestEntryAt: new Date(now.getTime() - 2 * DAY),
  typicalGapSec: 86_400,
  movedTo: null,
};

describe('feed health', () => {
  it('takes the median gap between entries as the rhythm', () => {
    const dates = [0, 1, 2, 3, 30].map((d) => new Date(now.getTime() - d * DAY));
    expect(medianGapSec(dates)).toBe(86_400);
    expect(medianGapSec([now])).toBeNull();
  });

  it('allows 3 times the rhythm, at least 14 days, 30 when unknown', () => {
    expect(silenceThresholdDays(86_400)).toBe(14);
    expect(silenceThresholdDays(10 * 86_400)).toBe(30);
    expect(silenceThresholdDays(null)).toBe(30);
  });

  it.each([
    ['ok', healthy],
    ['failing', { ...healthy, consecutiveFailures: 2 }],
    [
      'silent',
      {
        ...healthy,
        lastNewItemAt: new Date(now.getTime() - 20 * DAY),
        newestEntryAt: new Date(now.getTime() - 20 * DAY),
      },
    ],
    ['never-polled', undefined],
  ] as const)('judges a feed %s', (state, health) => {
    expect(assessFeedHealth(health, now).state).toBe(state);
  });
});
