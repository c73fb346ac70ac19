import { describe, expect, it } from 'vitest';

import {
  buildSendingStatus,
  formatDuration,
  type ProgressReading,
  SendingStatusSchema,
} from './sending-status.ts';

const readAt = new Date('2026-12-03T10:00:00Z');
const secondsAgo = (s: number) => new Date(readAt.getTime() - s * 1000);

function reading(
  counts: Partial<ProgressReading['counts']>,
  recent: ProgressReading['recent'] = { count: 0, oldestAt: null },
  campaign: Partial<ProgressReading['campaign']> = {},
): ProgressReading {
  return {
    campaign: {
      id: 3,
      newsletterId: 'adn',
      issueKey: 'adn/2026-11',
      status: 'sending',
      statusReason: null,
      isFanoutDone: true,
      scheduledAt: null,
      startedAt: secondsAgo(120),
      finishedAt: null,
      ...campaign,
    },
    counts: { queued: 0, sending: 0, sent: 0, failed: 0, uncertain: 0, skipped: 0, ...counts },
    recent,
    readAt,
  };
}

describe('buildSendingStatus', () => {
  it('takes the speed over the outcomes of the window and the time left from it', () => {
    const status = buildSendingStatus(
      reading(
        { sent: 590, failed: 10, queued: 380, sending: 20 },
        {
          count: 500,
          oldestAt: secondsAgo(10),
        },
      ),
    );
    expect(status).toMatchObject({
      total: 1000,
      sent: 590,
      failed: 10,
      remaining: 400,
      messagesPerSecond: 50,
      etaSeconds: 8,
    });
    expect(SendingStatusSchema.parse(status)).toEqual(status);
  });

  it('measures a campaign that started five seconds ago over five seconds, not the window', () => {
    const status = buildSendingStatus(
      reading({ sent: 100, queued: 900 }, { count: 100, oldestAt: secondsAgo(5) }),
    );
    expect(status.messagesPerSecond).toBe(20);
    expect(status.etaSeconds).toBe(45);
  });

  it.each([
    ['one outcome', { count: 1, oldestAt: secondsAgo(3) }],
    ['outcomes less than a second apart', { count: 40, oldestAt: secondsAgo(0.5) }],
    ['no outcome yet, just started', { count: 0, oldestAt: null }],
  ])('knows no speed from %s', (_name, recent) => {
    const status = buildSendingStatus(
      reading({ queued: 10 }, recent, { startedAt: secondsAgo(2) }),
    );
    expect(status.messagesPerSecond).toBeNull();
    expect(status.etaSeconds).toBeNull();
  });

  it('says zero messages per second when a sending campaign wrote nothing for a window', () => {
    const status = buildSendingStatus(reading({ queued: 10 }, { count: 0, oldestAt: null }));
    expect(status.messagesPerSecond).toBe(0);
    expect(status.etaSeconds).toBeNull();
  });

  it('gives no time left for a paused campaign, whatever its last speed', () => {
    const status = buildSendingStatus(
      reading(
        { sent: 10, queued: 90 },
        { count: 10, oldestAt: secondsAgo(10) },
        {
          status: 'paused',
          statusReason: 'paused by an editor',
        },
      ),
    );
    expect(status.messagesPerSecond).toBe(1);
    expect(status.etaSeconds).toBeNull();
    expect(status.statusReason).toBe('paused by an editor');
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
