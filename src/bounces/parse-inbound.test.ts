import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { maxInboundBytes, parseInbound } from './parse-inbound.ts';

const fixtures = path.resolve(import.meta.dirname, '../../test/fixtures/bounces');
const read = (name: string) => readFile(path.join(fixtures, name));
const mailto = 'unsubscribe@news.example.org';

describe('parseInbound over the MTA fixtures', () => {
  it.each([
    [
      'postfix-dsn.eml',
      'marie.dupont@univ.example.org',
      '5.1.1',
      'hard',
      'c12.s345.x7f3a@news.example.org',
    ],
    [
      'exim-text.eml',
      'jean.martin@labo.example.org',
      '5.1.1',
      'hard',
      'c12.s346.x7f3a@news.example.org',
    ],
    [
      'sendmail-dsn.eml',
      'sophie@inst.example.org',
      '5.2.2',
      'soft',
      'c12.s347.x7f3a@news.example.org',
    ],
    [
      'exchange-dsn.eml',
      'pierre@contoso.example.org',
      '5.1.10',
      'hard',
      'c12.s348.x7f3a@news.example.org',
    ],
    [
      'gmail-dsn.eml',
      'luc@gmail.example.org',
      '5.7.1',
      'policy',
      'c12.s349.x7f3a@news.example.org',
    ],
    ['qmail-text.eml', 'anne@old.example.org', '5.1.1', 'hard', 'c12.s350.x7f3a@news.example.org'],
  ])('reads %s as a bounce of %s (%s, %s)', async (file, email, status, kind, messageId) => {
    const parsed = await parseInbound(await read(file), mailto);
    expect(parsed.type).toBe('bounce');
    if (parsed.type !== 'bounce') return;
    expect(parsed.recipients).toHaveLength(1);
    expect(parsed.recipients[0]).toMatchObject({ email, status, kind });
    expect(parsed.recipients[0]?.diagnostic).toContain(status);
    expect(parsed.returned.messageId).toBe(messageId);
  });

  it('reads an ARF report as a complaint about the original recipient', async () => {
    const parsed = await parseInbound(await read('arf-complaint.eml'), mailto);
    expect(parsed).toEqual({
      type: 'complaint',
      email: 'claire@fbl-users.example.org',
      returned: {
        messageId: 'c12.s351.x7f3a@news.example.org',
        returnPath: 'bounces+k1stu@news.example.org',
      },
    });
  });

  it('recognises an out-of-office reply and ignores it', async () => {
    expect(await parseInbound(await read('auto-reply.eml'), mailto)).toEqual({
      type: 'auto-reply',
    });
  });

  it('reads a mail to the unsubscribe mailbox as an unsubscribe of its sender', async () => {
    expect(await parseInbound(await read('mailto-unsubscribe.eml'), mailto)).toEqual({
      type: 'unsubscribe',
      from: 'marie@univ.example.org',
    });
  });

  it('does not take a mail to the unsubscribe mailbox for one when no mailbox is configured', async () => {
    expect((await parseInbound(await read('mailto-unsubscribe.eml'))).type).toBe('unclassified');
  });

  it('keeps a DSN without Status as a bounce of unknown kind', async () => {
    const parsed = await parseInbound(await read('dsn-without-status.eml'), mailto);
    expect(parsed.type).toBe('bounce');
    if (parsed.type !== 'bounce') return;
    expect(parsed.recipients[0]).toMatchObject({
      email: 'nobody@broken.example.org',
      status: undefined,
      kind: 'unknown',
    });
  });
});

describe('parseInbound over bad inputs', () => {
  it.each([
    ['empty', Buffer.alloc(0), 'empty message'],
    ['huge', Buffer.alloc(maxInboundBytes + 1, 0x61), 'message too large'],
    ['garbage', Buffer.from([0xff, 0x00, 0xfe, 0x13, 0x37, 0x0a, 0x0d]), undefined],
    [
      'a letter from a person',
      Buffer.from('From: a@example.org\r\nSubject: hello\r\n\r\nHi 5.1.1\r\n'),
      undefined,
    ],
  ])('keeps %s input unclassified', async (_name, raw, reason) => {
    const parsed = await parseInbound(raw, mailto);
    expect(parsed.type).toBe('unclassified');
    if (reason !== undefined) expect(parsed).toEqual({ type: 'unclassified', reason });
  });
});
