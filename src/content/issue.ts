import { z } from 'zod';

import { boundedText, IsoDateSchema, SlugSchema } from './fields.ts';
import { ItemSchema } from './item.ts';

/** English versions of an issue's texts; each is optional and falls back to French. */
export const IssueEnglishSchema = z.strictObject({
  subject: boundedText(200).optional(),
  preheader: boundedText(300).optional(),
  introduction: boundedText(10_000).optional(),
});

/**
 * One section of an issue: a section id of the newsletter and its items, in order. A draft may
 * hold a section without items (the composer saves one as soon as it is added); the renderer
 * leaves it out, `depeche check` reports it and `campaign create` refuses it
 * (`sendReadinessProblems`).
 */
export const IssueSectionSchema = z.strictObject({
  id: SlugSchema,
  items: z.array(ItemSchema).max(200),
});
/** One section of an issue. */
export type IssueSection = z.infer<typeof IssueSectionSchema>;

/**
 * One edition of a newsletter, as written in `issues/<newsletter>/<YYYY-MM>.yaml`.
 * French texts are required; `en` carries optional English versions.
 */
export const IssueSchema = z.strictObject({
  /** Id of the newsletter (`issues/<id>/newsletter.yaml`). */
  newsletter: SlugSchema,
  /** Issue number, a positive integer. */
  number: z.number().int('must be a whole number').positive('must be a positive number'),
  /** Issue date, `YYYY-MM-DD`; its month names the file. */
  date: IsoDateSchema,
  /** Email subject, French. */
  subject: boundedText(200),
  /** The line mail clients show after the subject, French. */
  preheader: boundedText(300),
  /** Markdown. */
  introduction: boundedText(10_000),
  en: IssueEnglishSchema.optional(),
  sections: z.array(IssueSectionSchema).min(1, 'an issue needs at least one section').max(50),
});
/** One edition of a newsletter. */
export type Issue = z.infer<typeof IssueSchema>;

/** The key of an issue, `<newsletter>/<YYYY-MM>` of its date, for example `adn/2026-11`. */
export function issueKey(issue: Pick<Issue, 'newsletter' | 'date'>): string {
  return `${issue.newsletter}/${issue.date.slice(0, 7)}`;
}
