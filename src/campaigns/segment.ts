import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';
import { SegmentInvalidError } from './errors.ts';

const values = z.array(z.string().trim().min(1).max(200)).min(1).max(50);

/**
 * Which active subscribers of the newsletter a campaign reaches. Each present field narrows the
 * audience (AND); the values of one field are alternatives (OR). Empty: everyone active.
 */
export const SegmentSchema = z
  .object({
    locale: z.array(LocaleSchema).min(1).optional(),
    country: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'expected an ISO country code like US'))
      .min(1)
      .optional(),
    researchField: values.optional(),
    careerStage: values.optional(),
    /** Values of keys of the subscriber's free `attributes`, compared as text. */
    attributes: z.record(z.string().regex(/^[\w.-]{1,50}$/), values).optional(),
  })
  .strict();
/** See {@link SegmentSchema}. */
export type Segment = z.infer<typeof SegmentSchema>;

const fieldNames: Record<string, 'locale' | 'country' | 'researchField' | 'careerStage'> = {
  locale: 'locale',
  country: 'country',
  research_field: 'researchField',
  field: 'researchField',
  career_stage: 'careerStage',
  stage: 'careerStage',
};

/**
 * Reads the `--segment` text: comma-separated `key=value` pairs, `|` between alternatives,
 * `attr.NAME=value` for attributes. Example: `country=US|MX,locale=fr,attr.lab=CNRS`.
 * Throws {@link SegmentInvalidError} naming the part it could not read.
 */
export function parseSegment(text: string | undefined): Segment {
  const draft: Record<string, unknown> = {};
  const attributes: Record<string, string[]> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^([\w.-]+)\s*=\s*(.+)$/.exec(part);
    if (!match?.[1] || !match[2]) {
      throw new SegmentInvalidError(`Segment part '${part}' is not of the form key=value`);
    }
    const key = match[1].toLowerCase();
    const list = match[2].split('|').map((v) => v.trim());
    if (key.startsWith('attr.') || key.startsWith('attributes.')) {
      attributes[match[1].slice(match[1].indexOf('.') + 1)] = list;
      continue;
    }
    const field = fieldNames[key];
    if (!field) {
      throw new SegmentInvalidError(
        `Segment key '${match[1]}' is unknown: use locale, country, research_field, career_stage or attr.NAME`,
      );
    }
    draft[field] = field === 'country' ? list.map((v) => v.toUpperCase()) : list;
  }
  if (Object.keys(attributes).length > 0) draft.attributes = attributes;
  const result = SegmentSchema.safeParse(draft);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SegmentInvalidError(
      `Segment '${text ?? ''}' is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
  }
  return result.data;
}

/** The segment written back as `--segment` text, or `everyone` when it is empty. */
export function describeSegment(segment: Segment): string {
  const parts: string[] = [];
  if (segment.locale) parts.push(`locale=${segment.locale.join('|')}`);
  if (segment.country) parts.push(`country=${segment.country.join('|')}`);
  if (segment.researchField) parts.push(`research_field=${segment.researchField.join('|')}`);
  if (segment.careerStage) parts.push(`career_stage=${segment.careerStage.join('|')}`);
  for (const [key, list] of Object.entries(segment.attributes ?? {})) {
    parts.push(`attr.${key}=${list.join('|')}`);
  }
  return parts.length === 0 ? 'everyone' : parts.join(',');
}
