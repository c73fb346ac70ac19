import { describe, expect, it } from 'vitest';

import { detectDelimiter } from './detect-delimiter.ts';

describe('detectDelimiter', () => {
  it.each([
    ['email,name,country\na@b.fr;x,y', ','],
    ['\uFEFFcourriel;nom;pays\r\nx', ';'],
    ['"nom, prénom";courriel;pays\n', ';'],
    ['"a;b;c",email\n', ','],
    ['email\tname\n', '\t'],
    ['email\n', ','],
  ])('reads %j as %j', (start, expected) => {
    expect(detectDelimiter(start)).toBe(expected);
  });
});
