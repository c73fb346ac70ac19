import { describe, expect, it } from 'vitest';

import { parseMultipartUpload } from './multipart-upload.ts';

const body = (parts: string[]) => Buffer.from(parts.join('\r\n'), 'latin1');

describe('parseMultipartUpload', () => {
  it('reads the fields and the file byte for byte', () => {
    const upload = parseMultipartUpload(
      body([
        '--XyZ',
        'Content-Disposition: form-data; name="_csrf"',
        '',
        'tok',
        '--XyZ',
        'Content-Disposition: form-data; name="file"; filename="C:\\Users\\a\\abonn\xe9s.csv"',
        'Content-Type: text/csv',
        '',
        'email;nom\r\na@example.org;Ren\xe9e',
        '--XyZ',
        'Content-Disposition: form-data; name="tag"',
        '',
        '1',
        '--XyZ',
        'Content-Disposition: form-data; name="tag"',
        '',
        '2',
        '--XyZ--',
        '',
      ]),
      'XyZ',
    );
    expect(upload?.fields).toEqual({ _csrf: 'tok', tag: ['1', '2'] });
    expect(upload?.files).toHaveLength(1);
    const file = upload?.files[0];
    expect(file?.fieldName).toBe('file');
    expect(file?.contentType).toBe('text/csv');
    expect(file?.fileName).toBe(Buffer.from('abonn\xe9s.csv', 'latin1').toString('utf8'));
    // the Windows-1252 é (0xE9) is kept as one byte, not decoded
    expect(file?.data.equals(Buffer.from('email;nom\r\na@example.org;Ren\xe9e', 'latin1'))).toBe(
      true,
    );
  });

  it('keeps an empty file part', () => {
    const upload = parseMultipartUpload(
      body(['--b', 'Content-Disposition: form-data; name="file"; filename=""', '', '', '--b--']),
      'b',
    );
    expect(upload?.files[0]?.data.length).toBe(0);
    expect(upload?.files[0]?.fileName).toBe('');
  });

  it.each([
    ['no boundary in the body', body(['nothing here']), 'b'],
    [
      'an unterminated part',
      body(['--b', 'Content-Disposition: form-data; name="a"', '', '1']),
      'b',
    ],
    ['a part without headers end', body(['--b', 'Content-Disposition: form-data; name="a"']), 'b'],
    ['an empty boundary', body(['--', '--']), ''],
  ])('refuses %s', (_name, input, boundary) => {
    expect(parseMultipartUpload(input, boundary)).toBeUndefined();
  });
});
