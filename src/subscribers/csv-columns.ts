import { type Locale, ValidationError } from '../lib/index.ts';
import {
  type FieldResult,
  foldText,
  parseCareerStage,
  parseCountry,
  parseLocale,
} from './profile-fields.ts';
import {
  AttributesSchema,
  type CareerStage,
  hashEmail,
  maxAttributes,
  maxAttributeTextLength,
  tryNormalizeEmail,
} from './subscriber.ts';

/** The columns of an import file this module knows, by role. */
type Role =
  | 'email'
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'locale'
  | 'country'
  | 'researchField'
  | 'careerStage'
  | 'attributes'
  | 'newsletters'
  | 'status'
  | 'ignored';

/** Accepted header names (compared folded: lower case, no accents, punctuation as spaces). */
export const headerNames: Record<Exclude<Role, 'ignored'>, string[]> = {
  email: [
    'email',
    'e mail',
    'mail',
    'courriel',
    'adresse',
    'adresse email',
    'adresse e mail',
    'adresse mail',
    'adresse electronique',
    'adresse courriel',
    'email address',
    'e mail address',
  ],
  name: [
    'name',
    'nom',
    'nom complet',
    'full name',
    'prenom nom',
    'prenom et nom',
    'nom prenom',
    'nom et prenom',
  ],
  firstName: ['prenom', 'first name', 'firstname', 'given name'],
  lastName: ['nom de famille', 'last name', 'lastname', 'surname', 'family name'],
  locale: ['locale', 'langue', 'language', 'lang', 'langue preferee'],
  country: ['country', 'pays', 'country of residence', 'pays de residence', 'residence'],
  researchField: ['field', 'domaine', 'research field', 'domaine de recherche', 'discipline'],
  careerStage: ['stage', 'statut', 'career stage', 'situation', 'position', 'etape de carriere'],
  attributes: ['attributes', 'attributs'],
  newsletters: ['newsletters', 'newsletter', 'lettres', 'lettres d information', 'listes', 'lists'],
  status: ['status', 'etat', 'subscription status'],
};

/** Columns of our own export that an import skips (they are not profile data). */
const ignoredNames = [
  'subscribed at',
  'confirmed at',
  'unsubscribed at',
  'created at',
  'updated at',
  'id',
];

/** Where each role sits in a record; other columns become attributes. */
export interface ColumnMap {
  roles: Partial<Record<Exclude<Role, 'ignored'>, number>>;
  extra: Array<{ index: number; key: string }>;
}

/**
 * Maps the header of an import file to roles. `nom` alone is the full name; beside a `prénom`
 * column it is the family name. Unknown columns become attributes (key folded to `a_z_0_9`).
 * Throws a {@link ValidationError} listing the headers found when no column holds the email.
 */
export function mapColumns(headers: string[], file: string): ColumnMap {
  const folded = headers.map(foldText);
  const roles: ColumnMap['roles'] = {};
  const extra: ColumnMap['extra'] = [];
  const hasFirstName = folded.some((h) => headerNames.firstName.includes(h));
  folded.forEach((header, index) => {
    let role: Role | undefined = (Object.keys(headerNames) as Array<keyof typeof headerNames>).find(
      (key) => headerNames[key].includes(header),
    );
    if (role === 'name' && header === 'nom' && hasFirstName) role = 'lastName';
    if (role === undefined && ignoredNames.includes(header)) role = 'ignored';
    if (role === 'ignored') return;
    if (role !== undefined) {
      roles[role] ??= index;
      return;
    }
    const key = header.replaceAll(' ', '_').slice(0, 50);
    if (key !== '') extra.push({ index, key });
  });
  if (roles.email === undefined) {
    throw new ValidationError(
      `'${file}' has no email column: expected a header named email, e-mail, courriel or adresse ` +
        `(found: ${headers.map((h) => `'${h}'`).join(', ') || 'nothing'})`,
    );
  }
  return { roles, extra };
}

/** One valid row of an import file; absent fields were empty or missing in the file. */
export interface ImportRow {
  line: number;
  email: string;
  emailHash: string;
  name?: string | undefined;
  locale?: Locale | undefined;
  country?: string | undefined;
  researchField?: string | undefined;
  careerStage?: CareerStage | undefined;
  attributes: Record<string, string | number | boolean>;
  /** Newsletter ids the row names (a `newsletters` column, ids separated by spaces, `,` or `;`). */
  newsletters?: string[] | undefined;
  /** The row says the address unsubscribed (a `status` column, as our export writes it). */
  isUnsubscribed?: boolean | undefined;
}

/** A row read from the file: valid, or refused with a reason. */
export type ReadRowResult = { ok: true; row: ImportRow } | { ok: false; reason: string };

/**
 * `parse` remembering its answers for the last distinct values seen: a column of languages,
 * countries or career stages repeats a handful of values over thousands of rows.
 */
function remembered<T>(parse: (raw: string) => FieldResult<T>): (raw: string) => FieldResult<T> {
  const answers = new Map<string, FieldResult<T>>();
  return (raw) => {
    let answer = answers.get(raw);
    if (answer === undefined) {
      answer = parse(raw);
      if (answers.size >= 1000) answers.clear();
      answers.set(raw, answer);
    }
    return answer;
  };
}

const localeParser = remembered(parseLocale);
const countryParser = remembered(parseCountry);
const careerStageParser = remembered(parseCareerStage);

/** `parse(value)`, or undefined for an empty cell. */
function readField<T>(
  parse: (raw: string) => FieldResult<T>,
  value: string,
): FieldResult<T> | undefined {
  return value === '' ? undefined : parse(value);
}

const invalidAttributes =
  'attributes must be a flat JSON object of short texts, numbers or booleans (at most 50)';

/** The trimmed text of a cell; empty when the column or the cell is missing. */
function cellAt(cells: string[], index: number | undefined): string {
  return index === undefined ? '' : (cells[index] ?? '').trim();
}

/** `first last`, or either alone. */
function joinName(first: string, last: string): string {
  if (first === '') return last;
  return last === '' ? first : `${first} ${last}`;
}

/** Reads the attributes of a record: a JSON `attributes` column and the unknown columns. */
function readAttributes(
  cells: string[],
  map: ColumnMap,
): { ok: true; attributes: ImportRow['attributes'] } | { ok: false; reason: string } {
  const json = cellAt(cells, map.roles.attributes);
  if (json === '' && map.extra.length <= maxAttributes) {
    // Only columns of the file: their keys, folded header names, are valid attribute names,
    // and their values texts; the length of each is all AttributesSchema would check.
    const attributes: ImportRow['attributes'] = {};
    for (const { index, key } of map.extra) {
      const value = cellAt(cells, index);
      if (value.length > maxAttributeTextLength) return { ok: false, reason: invalidAttributes };
      if (value !== '') attributes[key] = value;
    }
    return { ok: true, attributes };
  }
  const attributes: Record<string, unknown> = {};
  if (json !== '') {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, reason: 'attributes is not a JSON object' };
    }
    Object.assign(attributes, value);
  }
  for (const { index, key } of map.extra) {
    const value = cellAt(cells, index);
    if (value !== '') attributes[key] = value;
  }
  const parsed = AttributesSchema.safeParse(attributes);
  return parsed.success
    ? { ok: true, attributes: parsed.data }
    : { ok: false, reason: invalidAttributes };
}

/** Reads one record (already split into cells) with the column map. Pure. */
export function readRow(cells: string[], map: ColumnMap, line: number): ReadRowResult {
  const rawEmail = cellAt(cells, map.roles.email);
  if (rawEmail === '') return { ok: false, reason: 'email is empty' };
  const email = tryNormalizeEmail(rawEmail);
  if (email === undefined)
    return { ok: false, reason: `'${rawEmail.slice(0, 100)}' is not a valid email address` };
  const name =
    cellAt(cells, map.roles.name) ||
    joinName(cellAt(cells, map.roles.firstName), cellAt(cells, map.roles.lastName));
  if (name.length > 200) return { ok: false, reason: 'name is longer than 200 characters' };
  const locale = readField(localeParser, cellAt(cells, map.roles.locale));
  if (locale?.ok === false) return locale;
  const country = readField(countryParser, cellAt(cells, map.roles.country));
  if (country?.ok === false) return country;
  const careerStage = readField(careerStageParser, cellAt(cells, map.roles.careerStage));
  if (careerStage?.ok === false) return careerStage;
  const field = cellAt(cells, map.roles.researchField);
  if (field.length > 200)
    return { ok: false, reason: 'research field is longer than 200 characters' };
  const newsletters = cellAt(cells, map.roles.newsletters);
  const status = cellAt(cells, map.roles.status);
  const attributes = readAttributes(cells, map);
  if (!attributes.ok) return attributes;
  // built at once, all fields present (undefined when absent): one object of one shape
  const row: ImportRow = {
    line,
    email,
    emailHash: hashEmail(email),
    name: name === '' ? undefined : name,
    locale: locale?.value,
    country: country?.value,
    researchField: field === '' ? undefined : field,
    careerStage: careerStage?.value,
    attributes: attributes.attributes,
    newsletters: newsletters === '' ? undefined : newsletters.split(/[\s,;|]+/).filter(Boolean),
    isUnsubscribed:
      status !== '' && /^(unsubscribed|desabonne|desinscrit)/.test(foldText(status))
        ? true
        : undefined,
  };
  return { ok: true, row };
}
