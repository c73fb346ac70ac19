import { describe, expect, it } from 'vitest';

import {
  PersonalizationValuesSchema,
  placeholderNames,
  PLACEHOLDERS,
  placeholderTemplateName,
} from './placeholders.ts';

describe('the per-recipient placeholders', () => {
  it('derives the tokens the templates and stored snapshots carry from the one schema', () => {
    expect(PLACEHOLDERS).toEqual({
      greeting: '%%greeting%%',
      unsubscribeUrl: '%%unsubscribe_url%%',
      preferencesUrl: '%%preferences_url%%',
      viewOnlineUrl: '%%view_online_url%%',
    });
    expect(placeholderNames.map(placeholderTemplateName)).toEqual([
      'greeting',
      'unsubscribe_url',
      'preferences_url',
      'view_online_url',
    ]);
  });

  it('bounds every value and refuses a missing one', () => {
    const values = {
      greeting: 'Bonjour,',
      unsubscribeUrl: 'https://lettres.example.org/u/t',
      preferencesUrl: 'https://lettres.example.org/p/t',
      viewOnlineUrl: 'https://lettres.example.org/archive/adn/2026-11',
    };
    expect(PersonalizationValuesSchema.parse(values)).toEqual(values);
    expect(
      PersonalizationValuesSchema.safeParse({ ...values, greeting: 'x'.repeat(301) }).success,
    ).toBe(false);
    const { viewOnlineUrl: _omitted, ...missing } = values;
    expect(PersonalizationValuesSchema.safeParse(missing).success).toBe(false);
  });
});
