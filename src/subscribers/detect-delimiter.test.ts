import { describe, expect, it } from 'vitest';

import { detectDelimiter, detectLineBreak } from './detect-delimiter.ts';

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

describe('detectLineBreak', () => {
  it.each([
    ['email;name\r\na@b.fr', '\r\n'],
    ['email;name\na@b.fr', '\n'],
    ['email;name\ra@b.fr', '\r'],
    ['"two\r\nlines";email\nx', '\n'],
    ['email;name\r', '\r\n'],
    ['email;name', '\n'],
  ])('reads %j as %j', (start, expected) => {
    expect(detectLineBreak(start)).toBe(expected);
  });
});
