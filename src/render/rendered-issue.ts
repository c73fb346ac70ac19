import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';

/**
 * An issue rendered once for one language: the compiled HTML and the plain-text alternative,
 * both still carrying the per-recipient `PLACEHOLDERS`. Campaigns store it as their snapshot.
 */
export const RenderedIssueSchema = z.object({
  newsletterId: z.string().min(1),
  /** `<newsletter>/<YYYY-MM>`, for example `adn/2026-11`. */
  issueKey: z.string().min(1),
  locale: LocaleSchema,
  subject: z.string().min(1),
  preheader: z.string(),
  html: z.string().min(1),
  text: z.string().min(1),
});
/** An issue rendered for one language, before personalisation. */
export type RenderedIssue = z.infer<typeof RenderedIssueSchema>;

/** A rendered transactional message (confirmation, goodbye…), already for one recipient. */
export const RenderedMessageSchema = z.object({
  subject: z.string().min(1),
  html: z.string().min(1),
  text: z.string().min(1),
});
/** A rendered transactional message. */
export type RenderedMessage = z.infer<typeof RenderedMessageSchema>;
