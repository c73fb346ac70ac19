import { hash } from 'node:crypto';

import { z } from 'zod';

import { LocaleSchema, ValidationError } from '../lib/index.ts';

/**
 * Career stage of a researcher, for segments:
 * `doctoral` (PhD candidate), `postdoc`, `early-career` (first permanent or tenure-track
 * position, up to about ten years after the PhD), `established` (senior researcher, professor,
 * research director), `other` (engineers, administrators, partners…).
 */
export const CareerStageSchema = z.enum([
  'doctoral',
  'postdoc',
  'early-career',
  'established',
  'other',
]);
/** @see CareerStageSchema */
export type CareerStage = z.infer<typeof CareerStageSchema>;

/** At most this many attributes per subscriber. */
export const maxAttributes = 50;
/** At most this many characters in a text attribute. */
export const maxAttributeTextLength = 500;

/** Free attributes used by segments: flat key → text/number/boolean. */
export const AttributesSchema = z
  .record(
    z.string().regex(/^[\w.-]{1,50}$/),
    z.union([z.string().max(maxAttributeTextLength), z.number(), z.boolean()]),
  )
  .refine(
    (value) => Object.keys(value).length <= maxAttributes,
    `at most ${maxAttributes} attributes`,
  );
/** @see AttributesSchema */
export type Attributes = z.infer<typeof AttributesSchema>;

/** What a subscriber tells about themselves; every field may be unknown. */
export const ProfileSchema = z.object({
  name: z.string().trim().max(200).nullable(),
  locale: LocaleSchema,
  /** ISO 3166-1 alpha-2 country of residence, upper case. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable(),
  researchField: z.string().trim().max(200).nullable(),
  careerStage: CareerStageSchema.nullable(),
  attributes: AttributesSchema,
});
/** @see ProfileSchema */
export type Profile = z.infer<typeof ProfileSchema>;
/** A change of profile: only the fields given change. */
export const ProfilePatchSchema = ProfileSchema.partial();
/** @see ProfilePatchSchema */
export type ProfilePatch = z.infer<typeof ProfilePatchSchema>;

/** A subscriber as stored. */
export const SubscriberSchema = ProfileSchema.extend({
  id: z.number().int().positive(),
  email: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** @see SubscriberSchema */
export type Subscriber = z.infer<typeof SubscriberSchema>;

/**
 * The pattern of `z.email()`, all that schema checks of a string: tested directly, it costs a
 * fraction of `safeParse` on the 100,000 rows of a large import.
 */
const emailPattern = z.regexes.email;

/**
 * Returns the normalised form of an address (trimmed, domain lower-cased; the local part keeps
 * its case, matching stays case-insensitive), or `undefined` when it is not a valid address
 * (as `z.email()` judges it).
 */
export function tryNormalizeEmail(raw: string): string | undefined {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || trimmed.length > 254) return undefined;
  const domain = trimmed.slice(at + 1);
  const lowerDomain = domain.toLowerCase();
  const normalized = lowerDomain === domain ? trimmed : `${trimmed.slice(0, at)}@${lowerDomain}`;
  return emailPattern.test(normalized) ? normalized : undefined;
}

/** Like {@link tryNormalizeEmail}, throwing a {@link ValidationError} quoting the input. */
export function normalizeEmail(raw: string): string {
  const normalized = tryNormalizeEmail(raw);
  if (normalized === undefined) {
    throw new ValidationError(`'${raw.trim().slice(0, 100)}' is not a valid email address`);
  }
  return normalized;
}

/**
 * sha256 hex of the address, case-insensitive: the key of suppressions, which keep no address.
 * Give it a normalised address.
 */
export function hashEmail(normalized: string): string {
  return hash('sha256', normalized.toLowerCase(), 'hex');
}
