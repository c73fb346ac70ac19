import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';
import {
  CareerStageSchema,
  type PreferencesInput,
  type ProfilePatch,
  type SubscribeInput,
} from '../subscribers/index.ts';
import { isCountryCode } from './countries.ts';

/** Career stages offered by the forms (the subscribers' `CareerStageSchema`); the stored value is the key. */
export const careerStages = CareerStageSchema.options;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value === undefined || value === '' ? null : value));

/** A checkbox group arrives as one string, several strings, or nothing. */
const checkboxList = z
  .union([z.string().max(100), z.array(z.string().max(100)).max(20)])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

const country = z
  .string()
  .trim()
  .max(2)
  .optional()
  .transform((value) => (value ? value.toUpperCase() : null))
  .refine((value) => value === null || isCountryCode(value), { message: 'country' });

/** The profile fields shared by the subscribe and preferences forms. */
export const ProfileFormSchema = z.object({
  name: optionalText(200),
  country,
  research_field: optionalText(200),
  career_stage: z
    .union([z.enum(careerStages), z.literal('')])
    .optional()
    .transform((value) => (value ? value : null)),
  language: LocaleSchema.optional(),
});

/**
 * The profile fields of a form as the subscriber service's patch; `locale` only when the form
 * chose one (the route knows the fallback: the page's language, or the subscriber's).
 */
function toProfilePatch(form: z.output<typeof ProfileFormSchema>): ProfilePatch {
  return {
    name: form.name,
    country: form.country,
    researchField: form.research_field,
    careerStage: form.career_stage,
    ...(form.language === undefined ? {} : { locale: form.language }),
  };
}

/** Builds the subscribe form schema for the newsletters that exist. */
export function subscribeFormSchema(newsletterIds: readonly string[]) {
  return ProfileFormSchema.extend({
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email({ message: 'email' })),
    newsletters: checkboxList.pipe(
      z
        .array(z.string().refine((id) => newsletterIds.includes(id), { message: 'newsletters' }))
        .min(1, { message: 'newsletters' }),
    ),
    consent: z.literal('yes', { message: 'consent' }),
    /** The honeypot: humans never see it, so a value means a bot. */
    website: z.string().max(500).optional(),
  });
}

/** The subscribe form, parsed. */
export type SubscribeForm = z.output<ReturnType<typeof subscribeFormSchema>>;

/**
 * The subscribe form mapped to `SubscriberService.subscribe`'s input, with whether the
 * honeypot was filled (then nothing is recorded).
 */
export function subscribeRequestSchema(newsletterIds: readonly string[]) {
  return subscribeFormSchema(newsletterIds).transform((form) => ({
    isHoneypotFilled: form.website !== undefined && form.website !== '',
    input: {
      email: form.email,
      newsletterIds: form.newsletters,
      profile: toProfilePatch(form),
    } satisfies SubscribeInput,
  }));
}

/** Builds the preferences form schema for the newsletters that exist. */
export function preferencesFormSchema(newsletterIds: readonly string[]) {
  return ProfileFormSchema.extend({
    newsletters: checkboxList.pipe(
      z.array(z.string().refine((id) => newsletterIds.includes(id), { message: 'newsletters' })),
    ),
  });
}

/** The preferences form, parsed. */
export type PreferencesForm = z.output<ReturnType<typeof preferencesFormSchema>>;

/**
 * The preferences form mapped to `SubscriberService.updatePreferences`'s input: every
 * newsletter the form shows (`newsletterIds`) is wanted when ticked, unsubscribed when not.
 */
export function preferencesRequestSchema(newsletterIds: readonly string[]) {
  return preferencesFormSchema(newsletterIds).transform((form) => {
    const wanted = new Set(form.newsletters);
    return {
      profile: toProfilePatch(form),
      newsletters: Object.fromEntries(newsletterIds.map((id) => [id, wanted.has(id)])),
    } satisfies PreferencesInput;
  });
}

/** Builds the schema of the "unsubscribe from one or all" form. */
export function unsubscribeFormSchema(newsletterIds: readonly string[]) {
  return z.object({
    newsletter: z
      .string()
      .max(100)
      .refine((id) => id === 'all' || newsletterIds.includes(id), { message: 'newsletter' }),
  });
}

/** The erase confirmation: the box must be ticked. */
export const EraseFormSchema = z.object({ confirm: z.literal('yes', { message: 'confirm' }) });

/** `?q=` of the archive and `?lang=` of every page. */
export const ArchiveQuerySchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
});

/** Field name → message key of the first problem, for errors shown next to fields. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= `web.error.${field}`;
  }
  return errors;
}
