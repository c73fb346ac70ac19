import { describe, expect, it } from 'vitest';

import { multipartBoundary, parseMultipartFields } from './multipart-fields.ts';

describe('parseMultipartFields', () => {
  it('reads the one-click field of a multipart body', () => {
    const body =
      '--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n';
    expect(parseMultipartFields(body, 'XyZ')).toEqual({ 'List-Unsubscribe': 'One-Click' });
  });

  it('collects repeated fields and skips files', () => {
    const body = [
      '--b',
      'Content-Disposition: form-data; name="a"',
      '',
      '1',
      '--b',
      'Content-Disposition: form-data; name="a"',
      '',
      '2',
      '--b',
      'Content-Disposition: form-data; name="f"; filename="x.txt"',
      'Content-Type: text/plain',
      '',
      'data',
      '--b--',
      '',
    ].join('\r\n');
    expect(parseMultipartFields(body, 'b')).toEqual({ a: ['1', '2'] });
  });

  it('refuses a body without the close delimiter', () => {
    expect(
      parseMultipartFields('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1', 'b'),
    ).toBe(undefined);
  });
});

describe('multipartBoundary', () => {
  it.each([
    ['multipart/form-data; boundary=abc', 'abc'],
    ['multipart/form-data; boundary="a b"', 'a b'],
    ['multipart/form-data', undefined],
  ])('%s → %s', (type, expected) => {
    expect(multipartBoundary(type)).toBe(expected);
  });
});
