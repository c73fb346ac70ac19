import { describe, expect, it, test } from 'vitest';

import { CampaignNotSendableError } from './errors.ts';
import {
  type CampaignAction,
  type CampaignStatus,
  decideScheduledStart,
  isErrorRateExceeded,
  planTransition,
} from './model.ts';

const now = new Date('2026-11-05T08:00:00Z');
const campaignIn = (status: CampaignStatus) => ({ id: 7, status, startedAt: null });

describe('planTransition', () => {
  test.each<[CampaignStatus, CampaignAction, CampaignStatus]>([
    ['draft', { kind: 'send' }, 'sending'],
    ['scheduled', { kind: 'send' }, 'sending'],
    ['draft', { kind: 'schedule', at: new Date('2026-11-06T08:00:00Z') }, 'scheduled'],
    ['sending', { kind: 'pause', reason: 'editor' }, 'paused'],
    ['paused', { kind: 'resume' }, 'sending'],
    ['sending', { kind: 'resume' }, 'sending'],
    ['paused', { kind: 'cancel' }, 'cancelled'],
    ['scheduled', { kind: 'cancel' }, 'cancelled'],
    ['done', { kind: 'retry' }, 'sending'],
    ['sending', { kind: 'complete' }, 'done'],
  ])('%s + %o → %s', (from, action, to) => {
    const transition = planTransition(campaignIn(from), action, now);
    expect(transition).toMatchObject({ from, to });
  });

  test.each<[CampaignStatus, CampaignAction]>([
    ['done', { kind: 'send' }],
    ['cancelled', { kind: 'resume' }],
    ['draft', { kind: 'pause', reason: 'x' }],
    ['done', { kind: 'cancel' }],
    ['cancelled', { kind: 'retry' }],
    ['paused', { kind: 'complete' }],
  ])('refuses %s + %o with a readable reason', (from, action) => {
    expect(() => planTransition(campaignIn(from), action, now)).toThrow(CampaignNotSendableError);
    expect(() => planTransition(campaignIn(from), action, now)).toThrow(
      new RegExp(`Campaign 7 is ${from}`),
    );
  });

  it('refuses a schedule in the past', () => {
    expect(() =>
      planTransition(campaignIn('draft'), { kind: 'schedule', at: new Date('2026-11-01') }, now),
    ).toThrow(/has passed/);
  });

  it('keeps the first start time when a campaign is sent again after a schedule', () => {
    const startedAt = new Date('2026-11-01T00:00:00Z');
    const transition = planTransition(
      { id: 1, status: 'scheduled', startedAt },
      { kind: 'send' },
      now,
    );
    expect(transition.startedAt).toEqual(startedAt);
  });
});

describe('decideScheduledStart', () => {
  const at = (iso: string) => ({ status: 'scheduled' as const, scheduledAt: new Date(iso) });
  test.each([
    ['2026-11-05T09:00:00Z', 'not-due'],
    ['2026-11-05T08:00:00Z', 'start'],
    ['2026-11-05T02:30:00Z', 'start'],
    ['2026-11-05T01:59:59Z', 'overdue'],
  ] as const)('scheduled at %s, seen at 08:00 → %s', (iso, decision) => {
    expect(decideScheduledStart(at(iso), now)).toBe(decision);
  });

  it('ignores campaigns that are not scheduled', () => {
    expect(
      decideScheduledStart({ status: 'sending', scheduledAt: new Date('2026-11-05') }, now),
    ).toBe('not-due');
  });
});

describe('isErrorRateExceeded', () => {
  test.each([
    [40, 50, false], // below the minimum sample
    [80, 20, false], // exactly at the limit
    [79, 21, true],
    [900, 100, false],
  ])('%i sent, %i failed → %s', (sentCount, failedCount, expected) => {
    expect(
      isErrorRateExceeded({ sentCount, failedCount }, { maxErrorRate: 0.2, minSample: 100 }),
    ).toBe(expected);
  });
});
