import { z } from 'zod';

import {
  boundedText,
  compareDateOrDateTime,
  HttpUrlSchema,
  IsoDateOrDateTimeSchema,
  IsoDateSchema,
} from './fields.ts';

/** English versions of an item's texts; each is optional and falls back to French. */
export const ItemEnglishSchema = z.strictObject({
  title: boundedText(300).optional(),
  summary: boundedText(3000).optional(),
});

const itemBase = {
  /** Plain text, never HTML. */
  title: boundedText(300),
  /** Markdown, rendered then sanitised. */
  summary: boundedText(3000),
  /** The page the item points to; unique within an issue. */
  url: HttpUrlSchema,
  en: ItemEnglishSchema.optional(),
};

const opportunityFields = {
  /** Who offers it, for example `CNRS`. */
  institution: boundedText(200),
  /** Where, for example `Grenoble, France`. */
  location: boundedText(200),
  /** Last day to apply, `YYYY-MM-DD`; must not be past on the issue date. */
  deadline: IsoDateSchema,
};

const reportFields = {
  /** Who published it, for example `NSF`. */
  source: boundedText(200).optional(),
  /** Publication date, `YYYY-MM-DD`. */
  date: IsoDateSchema.optional(),
};

/** A news item: an announcement, a decision, a report. */
export const NewsItemSchema = z.strictObject({
  kind: z.literal('news'),
  ...itemBase,
  ...reportFields,
});

/** A publication: a report, a paper, a book. */
export const PublicationItemSchema = z.strictObject({
  kind: z.literal('publication'),
  ...itemBase,
  ...reportFields,
  authors: boundedText(500).optional(),
  publisher: boundedText(200).optional(),
});

/** A job opening. */
export const JobItemSchema = z.strictObject({
  kind: z.literal('job'),
  ...itemBase,
  ...opportunityFields,
});

/** A call for projects or proposals. */
export const CallItemSchema = z.strictObject({
  kind: z.literal('call'),
  ...itemBase,
  ...opportunityFields,
});

/** A fellowship or grant to a person. */
export const FellowshipItemSchema = z.strictObject({
  kind: z.literal('fellowship'),
  ...itemBase,
  ...opportunityFields,
});

/** A prize or award open to nominations or applications. */
export const PrizeItemSchema = z.strictObject({
  kind: z.literal('prize'),
  ...itemBase,
  ...opportunityFields,
});

/**
 * An event: a conference, a webinar, an information day. `start` and `end` are dates or
 * date-times; `end`, when given, is not before `start`. `deadline` is an optional last day to
 * register.
 */
export const EventItemSchema = z
  .strictObject({
    kind: z.literal('event'),
    ...itemBase,
    start: IsoDateOrDateTimeSchema,
    end: IsoDateOrDateTimeSchema.optional(),
    place: boundedText(300),
    deadline: IsoDateSchema.optional(),
  })
  .superRefine((item, ctx) => {
    if (item.end !== undefined && compareDateOrDateTime(item.end, item.start) < 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `end ${item.end} is before start ${item.start}`,
      });
    }
  });

/** One entry of an issue, discriminated by `kind`; each kind has the fields it needs. */
export const ItemSchema = z.discriminatedUnion('kind', [
  NewsItemSchema,
  EventItemSchema,
  JobItemSchema,
  CallItemSchema,
  FellowshipItemSchema,
  PrizeItemSchema,
  PublicationItemSchema,
]);
/** One entry of an issue. */
export type Item = z.infer<typeof ItemSchema>;
/** `'news' | 'event' | 'job' | 'call' | 'fellowship' | 'prize' | 'publication'`. */
export type ItemKind = Item['kind'];
/** The item kinds, in the order the documentation lists them. */
export const ITEM_KINDS = [
  'news',
  'event',
  'job',
  'call',
  'fellowship',
  'prize',
  'publication',
] as const satisfies readonly ItemKind[];
/** Items that carry an application deadline (job, call, fellowship, prize). */
export type OpportunityItem = Extract<Item, { kind: 'job' | 'call' | 'fellowship' | 'prize' }>;

/** True for the kinds that require institution, location and deadline. */
export function isOpportunity(item: Item): item is OpportunityItem {
  return (
    item.kind === 'job' ||
    item.kind === 'call' ||
    item.kind === 'fellowship' ||
    item.kind === 'prize'
  );
}

/** The date by which the reader must act: the deadline of an opportunity or event, if any. */
export function itemDeadline(item: Item): string | undefined {
  return isOpportunity(item) || item.kind === 'event' ? item.deadline : undefined;
}
