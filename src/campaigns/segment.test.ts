import { describe, expect, it, test } from 'vitest';

import { SegmentInvalidError } from './errors.ts';
import { describeSegment, parseSegment } from './segment.ts';

describe('parseSegment', () => {
  test.each([
    [undefined, {}],
    ['', {}],
    ['country=US,locale=fr', { country: ['US'], locale: ['fr'] }],
    ['country=us|mx', { country: ['US', 'MX'] }],
    [
      'research_field=Physics,stage=postdoc',
      { researchField: ['Physics'], careerStage: ['postdoc'] },
    ],
    ['attr.lab=CNRS|INSERM', { attributes: { lab: ['CNRS', 'INSERM'] } }],
  ])('%s', (text, expected) => {
    expect(parseSegment(text)).toEqual(expected);
  });

  test.each([
    ['country', /not of the form key=value/],
    ['planet=Mars', /Segment key 'planet' is unknown/],
    ['locale=de', /invalid at locale/],
    ['country=USA', /invalid at country/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSegment(text)).toThrow(SegmentInvalidError);
    expect(() => parseSegment(text)).toThrow(message);
  });

  it('writes a segment back as the text it came from', () => {
    const text = 'locale=fr,country=US|MX,attr.lab=CNRS';
    expect(describeSegment(parseSegment(text))).toBe(text);
    expect(describeSegment({})).toBe('everyone');
  });
});
