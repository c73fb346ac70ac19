import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';
import { boundedText, HttpUrlSchema, SlugSchema } from './fields.ts';
import { ITEM_KINDS } from './item.ts';

/**
 * The kind of item the entries of a feed (or of a routing rule) become when drafted, e.g. `job`
 * for a jobs board. Without one, drafting makes an entry with a deadline a `call`, else `news`.
 */
const EntryKindSchema = z.enum(ITEM_KINDS, {
  error: `must be one of ${ITEM_KINDS.join(', ')}`,
});

const ColorSchema = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a colour written #rgb or #rrggbb');

const AddressSchema = z.strictObject({
  name: boundedText(100),
  email: z.email('must be an email address').max(254),
});

/**
 * A routing rule of a feed: entries holding one of `keywords` (same matching as `include`)
 * become candidates of `section` instead of the feed's default one.
 */
export const SectionRuleSchema = z.strictObject({
  keywords: z
    .array(boundedText(100))
    .min(1, 'a routing rule needs at least one keyword')
    .max(100, 'must have at most 100 keywords'),
  section: SlugSchema,
  /** Kind of the items its entries become (instead of the feed's `kind`). */
  kind: EntryKindSchema.optional(),
});
/** A routing rule of a feed. */
export type SectionRule = z.infer<typeof SectionRuleSchema>;

/** A monitored RSS or Atom feed of a newsletter (polled by `src/feeds`). */
export const FeedSourceSchema = z.strictObject({
  url: HttpUrlSchema,
  /** Name shown to editors, for example `NSF News`. */
  name: boundedText(200),
  /** Section id new candidates go to when no routing rule claims them. */
  section: SlugSchema,
  /** Kind of the items its entries become when drafted (see a routing rule's own `kind`). */
  kind: EntryKindSchema.optional(),
  /**
   * Routing rules, tried in order: the first with a keyword in an entry's title wins, else the
   * first with a keyword in its text; else the entry goes to `section`.
   */
  sections: z.array(SectionRuleSchema).max(50, 'must have at most 50 routing rules').optional(),
  /** Keep only entries that contain one of these words (French or English, accent-insensitive). */
  include: z.array(boundedText(100)).max(100).optional(),
  /** Drop entries that contain one of these words. */
  exclude: z.array(boundedText(100)).max(100).optional(),
  /** Ignore entries older than this. @defaultValue 60 */
  max_age_days: z.number().int().positive().max(3650).default(60),
});
/** A monitored feed. */
export type FeedSource = z.infer<typeof FeedSourceSchema>;

/** A section of a newsletter, with its title in both languages. */
export const NewsletterSectionSchema = z.strictObject({
  id: SlugSchema,
  title: z.strictObject({ fr: boundedText(100), en: boundedText(100) }),
});
/** A section of a newsletter. */
export type NewsletterSection = z.infer<typeof NewsletterSectionSchema>;

/**
 * A newsletter's identity, as written in `issues/<id>/newsletter.yaml`: sender, look, sections
 * (in the order issues show them) and monitored feeds.
 */
export const NewsletterSchema = z
  .strictObject({
    id: SlugSchema,
    title: boundedText(100),
    description: boundedText(1000).optional(),
    description_en: boundedText(1000).optional(),
    /** Default language. @defaultValue 'fr' */
    language: LocaleSchema.default('fr'),
    sender: AddressSchema,
    reply_to: z
      .strictObject({ name: boundedText(100).optional(), email: AddressSchema.shape.email })
      .optional(),
    /** Colours of the newsletter's own look. @defaultValue { primary: '#1d3557', accent: '#e63946' } */
    theme: z
      .strictObject({ primary: ColorSchema, accent: ColorSchema })
      .default({ primary: '#1d3557', accent: '#e63946' }),
    sections: z.array(NewsletterSectionSchema).min(1, 'a newsletter needs at least one section'),
    /** @defaultValue [] */
    feeds: z.array(FeedSourceSchema).max(500).default([]),
  })
  .superRefine((newsletter, ctx) => {
    const ids = new Set<string>();
    newsletter.sections.forEach((section, index) => {
      if (ids.has(section.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sections', index, 'id'],
          message: `section '${section.id}' is defined twice`,
        });
      }
      ids.add(section.id);
    });
    const checkSection = (section: string, path: Array<string | number>) => {
      if (ids.has(section)) return;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `unknown section '${section}' (sections: ${[...ids].join(', ')})`,
      });
    };
    newsletter.feeds.forEach((feed, index) => {
      checkSection(feed.section, ['feeds', index, 'section']);
      feed.sections?.forEach((rule, ruleIndex) => {
        checkSection(rule.section, ['feeds', index, 'sections', ruleIndex, 'section']);
      });
    });
  });
/** A newsletter's identity, sections and feeds. */
export type Newsletter = z.infer<typeof NewsletterSchema>;

/** The section of `newsletter` with id `sectionId`, if any. */
export function findSection(
  newsletter: Pick<Newsletter, 'sections'>,
  sectionId: string,
): NewsletterSection | undefined {
  return newsletter.sections.find((section) => section.id === sectionId);
}
