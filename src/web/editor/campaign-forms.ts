import { z } from 'zod';

import { describeSegment, parseSegment, type Segment } from '../../campaigns/index.ts';
import { CareerStageSchema } from '../../subscribers/index.ts';
import { localDateTimePattern, scheduleTimeZones } from './zoned-time.ts';

/** `/editor/campaigns/:id`: a campaign id. */
export const CampaignParamsSchema = z.object({
  id: z.coerce
    .number({ error: 'campaign id: expected a whole number' })
    .int({ error: 'campaign id: expected a whole number' })
    .positive({ error: 'campaign id: expected a positive number' })
    .max(Number.MAX_SAFE_INTEGER),
});

const newsletterId = z
  .string()
  .trim()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'newsletter: expected an id like adn' })
  .max(60);

/** `adn/2026-11`. */
export const IssueKeySchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\/\d{4}-\d{2}$/, {
    error: 'issue: expected an issue like adn/2026-11',
  })
  .max(80);

/** A checkbox group or a multiple select arrives as one string, several, or nothing. */
const manyValues = z
  .union([z.string().max(200), z.array(z.string().max(200)).max(20)])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

const freeText = (max: number) => z.string().trim().max(max).optional();

/**
 * The segment fields of the creation form, named after the `--segment` keys of
 * `depeche campaign create`. Several values of one field are alternatives: checkboxes, or text
 * separated by commas or `|`. `attributes` holds `NAME=value|value` lines.
 */
export const SegmentFormSchema = z.object({
  locale: manyValues,
  country: freeText(200),
  research_field: freeText(400),
  career_stage: manyValues,
  attributes: freeText(1000),
});
/** See {@link SegmentFormSchema}. */
export type SegmentForm = z.output<typeof SegmentFormSchema>;

const alternatives = (text: string | undefined) =>
  (text ?? '')
    .split(/[,|]/)
    .map((value) => value.trim())
    .filter((value) => value !== '');

/**
 * The segment of the form as `--segment` text (`country=US|MX,locale=fr`), read by the same
 * parser as the command line. Throws `SegmentInvalidError` naming the part it could not read.
 */
export function segmentFromForm(form: SegmentForm): { segment: Segment; text: string } {
  const parts: string[] = [];
  const add = (key: string, values: string[]) => {
    if (values.length > 0) parts.push(`${key}=${values.join('|')}`);
  };
  add('locale', form.locale);
  add('country', alternatives(form.country));
  add('research_field', alternatives(form.research_field));
  add('career_stage', form.career_stage);
  for (const line of (form.attributes ?? '').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const [name, ...rest] = trimmed.split('=');
    parts.push(`attr.${(name ?? '').trim()}=${alternatives(rest.join('=')).join('|')}`);
  }
  const segment = parseSegment(parts.join(','));
  return { segment, text: describeSegment(segment) };
}

/** The form's fields for a stored segment (to show it again, or go back and change it). */
export function segmentToForm(segment: Segment): SegmentForm {
  return {
    locale: segment.locale ?? [],
    country: (segment.country ?? []).join(', '),
    research_field: (segment.researchField ?? []).join(', '),
    career_stage: segment.careerStage ?? [],
    attributes: Object.entries(segment.attributes ?? {})
      .map(([key, values]) => `${key}=${values.join('|')}`)
      .join('\n'),
  };
}

/** Career stages offered by the segment form (the subscribers' values). */
export const segmentCareerStages = CareerStageSchema.options;

/**
 * `/editor/campaigns/new?…`: the first step (choose) and the review (audience size shown, not
 * yet created). A GET: nothing changes until the confirmation is posted.
 */
export const NewCampaignQuerySchema = SegmentFormSchema.extend({
  newsletter: newsletterId.optional(),
  issue: IssueKeySchema.optional(),
  step: z.enum(['choose', 'review']).default('choose'),
});
/** See {@link NewCampaignQuerySchema}. */
export type NewCampaignQuery = z.output<typeof NewCampaignQuerySchema>;

/** The confirmation of the review step: the issue and the segment as `--segment` text. */
export const CreateCampaignBodySchema = z.object({
  issue: IssueKeySchema,
  segment: z.string().trim().max(4000, { error: 'segment: at most 4,000 characters' }),
  /** The review step's checkbox: send although part of the audience already got the issue. */
  confirm_overlap: z.literal('yes').optional(),
});

/** The schedule form: a wall-clock time and the zone it is read in. */
export const ScheduleBodySchema = z.object({
  at: z.string().trim().regex(localDateTimePattern, {
    error: 'at: expected a date and time like 2026-12-05T08:00',
  }),
  timeZone: z.enum(scheduleTimeZones, {
    error: `timeZone: expected one of ${scheduleTimeZones.join(', ')}`,
  }),
});

/** Which rows a retry gives back to the queue. */
export const RetryBodySchema = z.object({
  which: z.enum(['failed', 'uncertain'], { error: 'which: expected failed or uncertain' }),
});

/** The first problem of a failed parse, as one line naming the field. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid form';
  const where = issue.path.join('.');
  return issue.message.startsWith(`${where}:`) || where === ''
    ? issue.message
    : `${where}: ${issue.message}`;
}
