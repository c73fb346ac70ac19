import { describe, expect, it } from 'vitest';

import { parseCareerStage, parseCountry, parseLocale } from './profile-fields.ts';

describe('profile fields', () => {
  it.each([
    ['fr', 'fr'],
    ['FR', 'fr'],
    ['fr-FR', 'fr'],
    ['Français', 'fr'],
    ['en_US', 'en'],
    ['anglais', 'en'],
    ['English', 'en'],
  ])('reads the language %j', (raw, expected) => {
    expect(parseLocale(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['FR', 'FR'],
    ['us', 'US'],
    ['France', 'FR'],
    ['États-Unis', 'US'],
    ['etats unis', 'US'],
    ['United States', 'US'],
    ['USA', 'US'],
    ['Mexique', 'MX'],
    ['México', 'MX'],
    ['Allemagne', 'DE'],
    ['Royaume-Uni', 'GB'],
    ['UK', 'GB'],
  ])('reads the country %j', (raw, expected) => {
    expect(parseCountry(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['doctoral', 'doctoral'],
    ['Doctorante', 'doctoral'],
    ['PhD student', 'doctoral'],
    ['post-doc', 'postdoc'],
    ['Postdoctorant', 'postdoc'],
    ['early-career', 'early-career'],
    ['Jeune chercheuse', 'early-career'],
    ['established', 'established'],
    ['Chercheur confirmé', 'established'],
    ['Professeure', 'established'],
    ['autre', 'other'],
  ])('reads the career stage %j', (raw, expected) => {
    expect(parseCareerStage(raw)).toEqual({ ok: true, value: expected });
  });

  it('refuses unknown values with a reason quoting them', () => {
    expect(parseLocale('es')).toEqual({ ok: false, reason: expect.stringContaining("'es'") });
    expect(parseCountry('Atlantis')).toEqual({
      ok: false,
      reason: expect.stringContaining("'Atlantis'"),
    });
    expect(parseCountry('FX').ok).toBe(false);
    expect(parseCareerStage('astronaut').ok).toBe(false);
  });
});
