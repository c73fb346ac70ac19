import { z } from 'zod';

import type { NewAuditEntry } from './audit.ts';
import { EditorEmailSchema } from './editor.ts';

/** Testers a newsletter may have: test copies go to all of them at once. */
export const MAX_TESTERS_PER_NEWSLETTER = 50;

/** One address that receives a newsletter's test copies from the workspace. */
export const NewsletterTesterSchema = z.object({
  newsletterId: z.string().min(1).max(100),
  /** Lower case. */
  email: z.string().min(3).max(254),
  /** The editor who added it; null once that account is gone. */
  addedBy: z.number().int().positive().nullable(),
  addedAt: z.date(),
});
/** See {@link NewsletterTesterSchema}. */
export type NewsletterTester = z.infer<typeof NewsletterTesterSchema>;

/** The address field of the testers form (trimmed, lower case). */
export const TesterEmailSchema = EditorEmailSchema;

/**
 * The testers of each newsletter, implemented in `db/newsletter-tester-repository.ts`. Every
 * change writes its audit entry in the same transaction.
 */
export interface TesterStore {
  /** A newsletter's testers, by address. */
  list(newsletterId: string): Promise<NewsletterTester[]>;
  /**
   * Adds an address; `'exists'` when the newsletter has it already, `'full'` when it has
   * {@link MAX_TESTERS_PER_NEWSLETTER} testers. Nothing is written (audit included) then.
   */
  add(
    tester: { newsletterId: string; email: string; addedBy: number | null },
    audit: NewAuditEntry,
    now: Date,
  ): Promise<'added' | 'exists' | 'full'>;
  /** Removes an address; false (and no audit entry) when the newsletter does not have it. */
  remove(
    tester: { newsletterId: string; email: string },
    audit: NewAuditEntry,
    now: Date,
  ): Promise<boolean>;
}
