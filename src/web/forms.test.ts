import { describe, expect, it } from 'vitest';

import {
  fieldErrors,
  preferencesFormSchema,
  preferencesRequestSchema,
  subscribeFormSchema,
  subscribeRequestSchema,
} from './forms.ts';

const subscribe = subscribeFormSchema(['adn', 'fil-de-marianne']);

describe('subscribeFormSchema', () => {
  it('parses a full form: one checkbox or several, country upper-cased, blanks as null', () => {
    const form = subscribe.parse({
      email: '  ada@example.org ',
      newsletters: 'adn',
      name: '',
      country: 'mx',
      research_field: ' Physique ',
      career_stage: 'postdoc',
      language: 'en',
      consent: 'yes',
      website: '',
      _csrf: 'ignored',
    });
    expect(form).toMatchObject({
      email: 'ada@example.org',
      newsletters: ['adn'],
      name: null,
      country: 'MX',
      research_field: 'Physique',
      career_stage: 'postdoc',
      language: 'en',
    });
    expect(
      subscribe.parse({
        email: 'a@b.org',
        newsletters: ['adn', 'fil-de-marianne'],
        consent: 'yes',
      }),
    ).toMatchObject({ newsletters: ['adn', 'fil-de-marianne'], country: null, career_stage: null });
  });

  it.each([
    [{ email: 'nope', newsletters: 'adn', consent: 'yes' }, ['email']],
    [{ email: 'a@b.org', consent: 'yes' }, ['newsletters']],
    [{ email: 'a@b.org', newsletters: 'other', consent: 'yes' }, ['newsletters']],
    [{ email: 'a@b.org', newsletters: 'adn' }, ['consent']],
    [{ email: 'a@b.org', newsletters: 'adn', consent: 'yes', country: 'ZZ' }, ['country']],
    [
      { email: 'a@b.org', newsletters: 'adn', consent: 'yes', career_stage: 'boss' },
      ['career_stage'],
    ],
    [{ email: 'a@b.org', newsletters: 'adn', consent: 'yes', name: 'x'.repeat(201) }, ['name']],
  ])('refuses %j with errors on %j', (input, fields) => {
    const result = subscribe.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(Object.keys(fieldErrors(result.error))).toEqual(fields);
      expect(Object.values(fieldErrors(result.error))).toEqual(fields.map((f) => `web.error.${f}`));
    }
  });
});

describe('preferencesFormSchema', () => {
  it('accepts no newsletter at all (unsubscribe from everything by unticking)', () => {
    expect(preferencesFormSchema(['adn']).parse({}).newsletters).toEqual([]);
  });
});

describe('subscribeRequestSchema', () => {
  const request = subscribeRequestSchema(['adn', 'fil-de-marianne']);

  it("maps the form to the subscriber service's input, locale only when chosen", () => {
    expect(
      request.parse({
        email: ' ada@example.org',
        newsletters: ['adn'],
        country: 'fr',
        career_stage: 'postdoc',
        language: 'en',
        consent: 'yes',
      }),
    ).toEqual({
      isHoneypotFilled: false,
      input: {
        email: 'ada@example.org',
        newsletterIds: ['adn'],
        profile: {
          name: null,
          country: 'FR',
          researchField: null,
          careerStage: 'postdoc',
          locale: 'en',
        },
      },
    });
    const plain = request.parse({ email: 'a@b.org', newsletters: 'adn', consent: 'yes' });
    expect(plain.input.profile).not.toHaveProperty('locale');
  });

  it('tells a filled honeypot, and refuses what the form refuses', () => {
    expect(
      request.parse({ email: 'a@b.org', newsletters: 'adn', consent: 'yes', website: 'x' })
        .isHoneypotFilled,
    ).toBe(true);
    const refused = request.safeParse({ email: 'a@b.org', newsletters: 'other', consent: 'yes' });
    expect(refused.success).toBe(false);
    if (!refused.success) expect(Object.keys(fieldErrors(refused.error))).toEqual(['newsletters']);
  });
});

describe('preferencesRequestSchema', () => {
  const request = preferencesRequestSchema(['adn', 'fil-de-marianne']);

  it('wants the ticked newsletters and unsubscribes the others the form shows', () => {
    expect(request.parse({ newsletters: 'adn', language: 'fr' })).toEqual({
      profile: { name: null, country: null, researchField: null, careerStage: null, locale: 'fr' },
      newsletters: { adn: true, 'fil-de-marianne': false },
    });
    expect(request.parse({}).newsletters).toEqual({ adn: false, 'fil-de-marianne': false });
  });

  it('refuses an unknown newsletter or language', () => {
    expect(request.safeParse({ newsletters: ['adn', 'other'] }).success).toBe(false);
    expect(request.safeParse({ language: 'de' }).success).toBe(false);
  });
});
