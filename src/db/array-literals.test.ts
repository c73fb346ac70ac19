import { describe, expect, it } from 'vitest';

import { toBigintArrayLiteral, toTextArrayLiteral } from './array-literals.ts';

describe('array literals', () => {
  it.each([
    [[], '{}'],
    [['a'], '{"a"}'],
    [['a@example.org', 'b c', 'é'], '{"a@example.org","b c","é"}'],
    [['say "hi"', 'back\\slash', null], '{"say \\"hi\\"","back\\\\slash",NULL}'],
    [['NULL', '{braces}', 'a,b'], '{"NULL","{braces}","a,b"}'],
  ])('writes the texts %j as %s', (values, literal) => {
    expect(toTextArrayLiteral(values)).toBe(literal);
  });

  it('writes whole numbers, dropping any fraction', () => {
    expect(toBigintArrayLiteral([])).toBe('{}');
    expect(toBigintArrayLiteral([1, 42, 9_007_199_254_740_991, 3.7])).toBe(
      '{1,42,9007199254740991,3}',
    );
  });
});
