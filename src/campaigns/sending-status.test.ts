import { describe, expect, it } from 'vitest';

import type { Campaign } from './model.ts';
import {
  buildSendingStatus,
  describeStall,
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
      updatedAt: secondsAgo(1),
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

  it('is part of the status, read at the database clock', () => {
    const moving = reading(
      { queued: 5 },
      { count: 3, oldestAt: secondsAgo(20) },
      {
        updatedAt: secondsAgo(10),
      },
    );
    expect(buildSendingStatus(moving).stall).toBeNull();
    const stalled = reading({ queued: 5 }, undefined, { updatedAt: secondsAgo(30 * 60) });
    expect(buildSendingStatus(stalled).stall).toMatch(/^no progress for 30 min/);
  });
});
