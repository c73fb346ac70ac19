import { describe, expect, it } from 'vitest';

import { classifyStatus, findStatusCode } from './classify-status.ts';

describe('classifyStatus', () => {
  it.each([
    ['5.1.1', 'hard'],
    ['5.1.10', 'hard'],
    ['5.2.1', 'hard'],
    ['5.2.2', 'soft'],
    ['4.2.2', 'soft'],
    ['4.4.1', 'soft'],
    ['5.7.1', 'policy'],
    ['5.7.26', 'policy'],
    ['5.3.0', 'unknown'],
    ['2.0.0', 'unknown'],
    ['6.1.1', 'unknown'],
    ['5.1', 'unknown'],
    ['', 'unknown'],
    ['garbage', 'unknown'],
  ] as const)('classifies %s as %s', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });
});

describe('findStatusCode', () => {
  it('finds the code in an SMTP reply and ignores version numbers', () => {
    expect(findStatusCode('550 5.1.1 <a@example.org>: User unknown')).toBe('5.1.1');
    expect(findStatusCode('remote host said: 552 #5.2.2 mailbox full')).toBe('5.2.2');
    expect(findStatusCode('Postfix 3.7.10 says hello')).toBeUndefined();
  });
});
