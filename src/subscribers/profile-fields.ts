import type { Locale } from '../lib/index.ts';
import type { CareerStage } from './subscriber.ts';

/** Lower case, accents removed, runs of anything but letters and digits made one space. */
export function foldText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A parsed field: its value, or the reason it was refused. */
export type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const localeWords: Record<string, Locale> = {
  fr: 'fr',
  francais: 'fr',
  french: 'fr',
  en: 'en',
  anglais: 'en',
  english: 'en',
};

/** Reads a language: `fr`, `en`, `fr-FR`, `en_US`, `français`, `English`… */
export function parseLocale(raw: string): FieldResult<Locale> {
  const folded = foldText(raw);
  const value = localeWords[folded] ?? localeWords[folded.split(' ')[0] ?? ''];
  return value
    ? { ok: true, value }
    : { ok: false, reason: `unknown language '${raw}' (fr or en)` };
}

let countryIndex: Map<string, string> | undefined;

/** Codes ICU names that are not ISO 3166-1 countries: reserved, user-assigned, groupings. */
const notCountries =
  /^(AA|AC|AN|BU|CP|CQ|CS|DD|DG|DY|EA|EU|EZ|FX|HV|IC|NH|NT|QO|Q[M-Z]|RH|SU|TA|TP|UN|VD|X[A-Z]|YD|YU|ZR|ZZ)$/;

/** Every ISO 3166-1 alpha-2 code known to ICU, with its French and English names. */
function countries(): Map<string, string> {
  if (countryIndex) return countryIndex;
  const index = new Map<string, string>();
  const names = [
    new Intl.DisplayNames(['fr'], { type: 'region' }),
    new Intl.DisplayNames(['en'], { type: 'region' }),
  ];
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of letters) {
    for (const b of letters) {
      const code = `${a}${b}`;
      // ICU echoes codes it does not know; the user-assigned and private ranges are not countries
      const known = names.map((display) => display.of(code)).filter((n) => n && n !== code);
      if (known.length === 0 || notCountries.test(code)) continue;
      index.set(code.toLowerCase(), code);
      // the first code of a name wins: FR for « France », not the reserved FX
      for (const name of known)
        if (!index.has(foldText(name ?? ''))) index.set(foldText(name ?? ''), code);
    }
  }
  for (const [alias, code] of Object.entries(countryAliases)) index.set(alias, code);
  countryIndex = index;
  return index;
}

const countryAliases: Record<string, string> = {
  usa: 'US',
  'u s a': 'US',
  'u s': 'US',
  'etats unis d amerique': 'US',
  'united states of america': 'US',
  uk: 'GB',
  'royaume uni': 'GB',
  mexique: 'MX',
};

/** Reads a country of residence: an ISO 3166-1 alpha-2 code, or its French or English name. */
export function parseCountry(raw: string): FieldResult<string> {
  const code = countries().get(foldText(raw));
  return code
    ? { ok: true, value: code }
    : { ok: false, reason: `unknown country '${raw}' (an ISO code like FR, US, MX, or a name)` };
}

const stageWords: Array<[RegExp, CareerStage]> = [
  [/^(doctoral|phd|doctorant|doctorante|doctorat|phd (student|candidate)|these)$/, 'doctoral'],
  [/^(postdoc|post doc|postdoctoral|post doctoral|postdoctorant|postdoctorante)/, 'postdoc'],
  [/^(early career|jeune chercheu|young researcher|junior|debut de carriere)/, 'early-career'],
  [
    /^(established|senior|confirme|chercheu\w* confirm|professeu|professor|directeu)/,
    'established',
  ],
  [/^(other|autre)$/, 'other'],
];

/** Reads a career stage: the enum value, or a common French or English wording of it. */
export function parseCareerStage(raw: string): FieldResult<CareerStage> {
  const folded = foldText(raw);
  for (const [pattern, stage] of stageWords)
    if (pattern.test(folded)) return { ok: true, value: stage };
  return {
    ok: false,
    reason: `unknown career stage '${raw}' (doctoral, postdoc, early-career, established, other)`,
  };
}
