import { describe, expect, it } from 'vitest';

import {
  classifySmtpError,
  hasSmtpReply,
  isConnectionError,
  MessageUncertainError,
} from './smtp-errors.ts';

/** Error shapes as nodemailer produces them (see test/integration/smtp-transport.test.ts). */
const error = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe('MessageUncertainError', () => {
  it('is classified uncertain with the reason, never transient', () => {
    const timeout = error('Timeout', { code: 'ETIMEDOUT', command: 'CONN' });
    expect(classifySmtpError(new MessageUncertainError(timeout))).toEqual({
      kind: 'uncertain',
      code: null,
      reply: 'message data sent, no final reply from the relay: ETIMEDOUT: Timeout',
    });
    expect(isConnectionError(new MessageUncertainError(timeout))).toBe(false);
  });

  it('hasSmtpReply tells a relay answer from a lost connection', () => {
    expect(hasSmtpReply(error('x', { responseCode: 451, response: '451 later' }))).toBe(true);
    expect(hasSmtpReply(error('x', { code: 'ECONNECTION' }))).toBe(false);
    expect(hasSmtpReply('not an error')).toBe(false);
  });
});

describe('classifySmtpError', () => {
  it.each([
    [
      'a synchronous 550 5.1.1 at RCPT TO',
      error("Can't send mail - all recipients were rejected", {
        code: 'EENVELOPE',
        responseCode: 550,
        response: '550 5.1.1 No such user',
        command: 'RCPT TO',
      }),
      { kind: 'hard_bounce', code: 550, reply: '550 5.1.1 No such user' },
    ],
    [
      'a recipient error carried in rejectedErrors',
      error('rejected', {
        code: 'EENVELOPE',
        rejectedErrors: [
          error('x', { responseCode: 553, response: '553 5.1.3 Bad address syntax' }),
        ],
      }),
      { kind: 'hard_bounce', code: 553, reply: '553 5.1.3 Bad address syntax' },
    ],
    [
      'a 5.1.x at DATA',
      error('Message failed', {
        code: 'EMESSAGE',
        responseCode: 550,
        response: '550 5.1.10 Null MX',
      }),
      { kind: 'hard_bounce', code: 550, reply: '550 5.1.10 Null MX' },
    ],
    [
      'a 5xx that is not about the address',
      error('Message failed', { code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Spam' }),
      { kind: 'permanent', code: 554, reply: '554 5.7.1 Spam' },
    ],
    [
      'a 550 without an enhanced code',
      error('Message failed', { code: 'EMESSAGE', responseCode: 550, response: '550 Rejected' }),
      { kind: 'permanent', code: 550, reply: '550 Rejected' },
    ],
    [
      'a 451 greylisting reply',
      error('Message failed', {
        code: 'EMESSAGE',
        responseCode: 451,
        response: '451 4.7.1 Try later',
      }),
      { kind: 'transient', code: 451, reply: '451 4.7.1 Try later' },
    ],
    [
      'a 421 closing the connection',
      error('Connection closed', {
        code: 'ECONNECTION',
        responseCode: 421,
        response: '421 4.3.2 Busy',
      }),
      { kind: 'transient', code: 421, reply: '421 4.3.2 Busy' },
    ],
    [
      'a refused connection',
      error('connect ECONNREFUSED 127.0.0.1:2525', {
        code: 'ESOCKET',
        originalCode: 'ECONNREFUSED',
      }),
      { kind: 'transient', code: null, reply: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:2525' },
    ],
    [
      'a timeout',
      error('Greeting never received', { code: 'ETIMEDOUT' }),
      { kind: 'transient', code: null, reply: 'ETIMEDOUT: Greeting never received' },
    ],
    ['something that is not an error', 'boom', { kind: 'transient', code: null, reply: 'boom' }],
  ])('classifies %s', (_name, input, expected) => {
    expect(classifySmtpError(input)).toEqual(expected);
  });

  it('keeps the reply short', () => {
    const failure = classifySmtpError(
      error('x', { responseCode: 554, response: `554 ${'a'.repeat(2000)}` }),
    );
    expect(failure.reply).toHaveLength(500);
  });
});

describe('isConnectionError', () => {
  it('is true for socket, DNS and timeout errors without a reply', () => {
    expect(isConnectionError(error('x', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isConnectionError(error('x', { code: 'EDNS' }))).toBe(true);
    expect(isConnectionError(error('x', { code: 'ETIMEDOUT' }))).toBe(true);
  });

  it('is false for an SMTP reply, even on a closed connection', () => {
    expect(isConnectionError(error('x', { code: 'ECONNECTION', responseCode: 421 }))).toBe(false);
    expect(isConnectionError(error('x', { code: 'EMESSAGE', responseCode: 451 }))).toBe(false);
  });
});
