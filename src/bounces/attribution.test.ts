import { describe, expect, it } from 'vitest';

import {
  candidateReturnPaths,
  parseCampaignMessageId,
  referencedMessageIds,
  storableText,
  topHeaders,
} from './attribution.ts';

describe('parseCampaignMessageId', () => {
  it.each([
    [
      '0c4f9e2a7b1d3e5f6a8b.s42@example.org',
      { messageKey: '0c4f9e2a7b1d3e5f6a8b', subscriberId: 42 },
    ],
    [
      '<0C4F9E2A7B1D3E5F6A8B.s7@example.org>',
      { messageKey: '0c4f9e2a7b1d3e5f6a8b', subscriberId: 7 },
    ],
    ['c12.s345@example.org', undefined],
    ['c12.s345.x7f3a@news.example.org', undefined],
    ['20261125101201.4F1A2B3C4D@mx.example.org', undefined],
    ['0c4f9e2a7b1d3e5f6a8b.s0@example.org', undefined],
    ['', undefined],
  ])('reads %j', (messageId, expected) => {
    expect(parseCampaignMessageId(messageId)).toEqual(expected);
  });
});

describe('headers of an inbound message', () => {
  const raw = Buffer.from(
    'Delivered-To: bounces+1-abc@news.example.org\r\n' +
      'To: "Bounces" <Bounces+2-def@news.example.org>,\r\n other@example.net\r\n' +
      'In-Reply-To: <a.s1@example.org>\r\nReferences: <b@x> <c@y>\r\n\r\n' +
      'To: body@example.org\r\n',
  );
  const headers = topHeaders(raw);

  it('lists the candidate return paths, envelope first, without duplicates', () => {
    expect(candidateReturnPaths(headers, ['bounces+0-zzz@news.example.org'], 'x@y.org')).toEqual([
      'bounces+0-zzz@news.example.org',
      'bounces+1-abc@news.example.org',
      'bounces+2-def@news.example.org',
      'other@example.net',
      'x@y.org',
    ]);
  });

  it('reads the Message-IDs an answer refers to', () => {
    expect(referencedMessageIds(headers)).toEqual(['a.s1@example.org', 'b@x', 'c@y']);
  });

  it('makes text storable: no NUL, trimmed, bounded', () => {
    expect(storableText(' a\u0000b ', 10)).toBe('ab');
    expect(storableText('abcdef', 3)).toBe('abc');
    expect(storableText('  ', 3)).toBeNull();
    expect(storableText(undefined, 3)).toBeNull();
  });
});
