import { z } from 'zod';

/** Where a candidate item stands in the editorial inbox. */
export const CandidateStatusSchema = z.enum(['new', 'picked', 'dismissed']);
/** {@inheritDoc CandidateStatusSchema} */
export type CandidateStatus = z.infer<typeof CandidateStatusSchema>;

const isoDay = z.iso.date();

/**
 * A normalised feed entry, ready to store: plain text only, canonical URL, optional deadline.
 * Produced by `normalizeEntry`, stored once per newsletter (by canonical URL, GUID or title key).
 */
export const NewCandidateSchema = z.object({
  newsletterId: z.string().min(1).max(100),
  feedUrl: z.string().min(1).max(2000),
  sourceName: z.string().min(1).max(200),
  /** The entry's GUID or Atom id, when it has one. */
  guid: z.string().min(1).max(2000).nullable(),
  /** The link as the feed gave it, resolved against the feed URL. */
  url: z.url({ protocol: /^https?$/ }).max(2000),
  canonicalUrl: z.url({ protocol: /^https?$/ }).max(2000),
  /** Plain text, never HTML. */
  title: z.string().min(1).max(500),
  /** Folded title used to recognise the same item under other links. */
  titleKey: z.string().min(1).max(2600),
  /** Plain text, shortened at a word boundary. */
  summary: z.string().max(600),
  sectionId: z.string().min(1).max(100).nullable(),
  /** Publication date stated by the feed, if any and valid. */
  publishedAt: z.date().nullable(),
  firstSeenAt: z.date(),
  /** Deadline stated by the entry (`YYYY-MM-DD`). */
  deadline: isoDay.nullable(),
});
/** {@inheritDoc NewCandidateSchema} */
export type NewCandidate = z.infer<typeof NewCandidateSchema>;

/** A stored candidate item, as the editorial inbox shows it. */
export const CandidateSchema = NewCandidateSchema.extend({
  id: z.number().int().positive(),
  status: CandidateStatusSchema,
  statusChangedAt: z.date().nullable(),
  /** Issue key (`adn/2026-11`) of the issue that used it. */
  usedInIssue: z.string().nullable(),
  /** Title rewritten by an editor for the issue (the inbox's pick); the feed's stays in `title`. */
  issueTitle: z.string().nullable().optional(),
  /** Summary rewritten by an editor for the issue, plain text. */
  issueSummary: z.string().nullable().optional(),
  /** Last time an editor picked, dismissed, moved, noted or rewrote it. */
  touchedAt: z.date().nullable().optional(),
});
/** {@inheritDoc CandidateSchema} */
export type Candidate = z.infer<typeof CandidateSchema>;
