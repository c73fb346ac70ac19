import { describe, expect, it } from 'vitest';

import { SegmentInvalidError } from '../../campaigns/index.ts';
import {
  CampaignParamsSchema,
  CreateCampaignBodySchema,
  firstProblem,
  NewCampaignQuerySchema,
  RetryBodySchema,
  ScheduleBodySchema,
  SegmentFormSchema,
  segmentFromForm,
  segmentToForm,
} from './campaign-forms.ts';

const form = (fields: Record<string, unknown>) => SegmentFormSchema.parse(fields);

describe('segmentFromForm', () => {
  it('reads the fields as the command line reads --segment', () => {
    const { segment, text } = segmentFromForm(
      form({
        locale: 'fr',
        country: 'us, MX',
        research_field: 'physics | Chemistry',
        career_stage: ['postdoc', 'doctoral'],
        attributes: 'lab=CNRS|INSERM\r\n\r\nteam = a, b',
      }),
    );
    expect(segment).toEqual({
      locale: ['fr'],
      country: ['US', 'MX'],
      researchField: ['physics', 'Chemistry'],
      careerStage: ['postdoc', 'doctoral'],
      attributes: { lab: ['CNRS', 'INSERM'], team: ['a', 'b'] },
    });
    expect(text).toBe(
      'locale=fr,country=US|MX,research_field=physics|Chemistry,career_stage=postdoc|doctoral,attr.lab=CNRS|INSERM,attr.team=a|b',
    );
  });

  it('reads an empty form as everyone', () => {
    expect(segmentFromForm(form({}))).toEqual({ segment: {}, text: 'everyone' });
  });

  it('gives back the fields of a stored segment', () => {
    const { segment } = segmentFromForm(form({ country: 'US', attributes: 'lab=CNRS' }));
    expect(segmentFromForm(segmentToForm(segment)).segment).toEqual(segment);
  });

  it.each([
    [{ country: 'USA' }, /country.*ISO country code/],
    [{ locale: 'de' }, /locale/],
    [{ attributes: 'no equals sign' }, /attr\.no equals sign/],
  ])('refuses %j naming the part', (fields, message) => {
    expect(() => segmentFromForm(form(fields))).toThrow(SegmentInvalidError);
    expect(() => segmentFromForm(form(fields))).toThrow(message);
  });
});

describe('campaign form schemas', () => {
  it('reads the creation steps', () => {
    expect(NewCampaignQuerySchema.parse({ newsletter: 'adn' })).toMatchObject({
      newsletter: 'adn',
      step: 'choose',
      locale: [],
    });
    expect(
      CreateCampaignBodySchema.parse({ issue: ' adn/2026-11 ', segment: 'locale=fr' }),
    ).toEqual({ issue: 'adn/2026-11', segment: 'locale=fr' });
  });

  it.each([
    [CampaignParamsSchema, { id: 'abc' }, 'campaign id: expected a whole number'],
    [CampaignParamsSchema, { id: '-3' }, 'campaign id: expected a positive number'],
    [
      CreateCampaignBodySchema,
      { issue: '../etc/passwd', segment: '' },
      'issue: expected an issue like adn/2026-11',
    ],
    [
      ScheduleBodySchema,
      { at: 'tomorrow', timeZone: 'UTC' },
      'at: expected a date and time like 2026-12-05T08:00',
    ],
    [
      ScheduleBodySchema,
      { at: '2026-12-05T08:00', timeZone: 'Mars/Olympus' },
      /^timeZone: expected one of Europe\/Paris/,
    ],
    [RetryBodySchema, { which: 'all' }, 'which: expected failed or uncertain'],
    [NewCampaignQuerySchema, { newsletter: 'A D N' }, 'newsletter: expected an id like adn'],
  ] as const)('refuses a bad field with a line naming it (%#)', (schema, input, message) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(firstProblem(result.error)).toMatch(message);
  });
});
