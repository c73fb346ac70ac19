import { z } from 'zod';

import type { AuditStore } from '../editors/index.ts';
import type { Candidate, CandidateStatus } from '../feeds/index.ts';

/**
 * Where a candidate stands in the inbox: its stored status, except that a `new` one untouched
 * for longer than the inbox's age (INBOX_NEW_MAX_DAYS) reads `aged`: it drops out of "new" by
 * itself, without anything rewriting the row.
 */
export const InboxStateSchema = z.enum(['new', 'aged', 'picked', 'dismissed'], {
  error: 'expected one of new, aged, picked, dismissed',
});
/** {@inheritDoc InboxStateSchema} */
export type InboxState = z.infer<typeof InboxStateSchema>;

/** The inbox's state filter: one state, or every one. */
export const InboxStateFilterSchema = z.enum(['new', 'aged', 'picked', 'dismissed', 'all'], {
  error: 'expected one of new, aged, picked, dismissed, all',
});

/** A form field left empty means "no filter". */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `expected at most ${max} characters`)
    .optional()
    .transform((value) => (value === '' ? undefined : value));

const newsletterIdSchema = z
  .string()
  .trim()
  .min(1, 'expected a newsletter id')
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a newsletter id such as adn');

const sectionIdSchema = z
  .string()
  .trim()
  .min(1, 'expected a section id')
  .max(100, 'expected at most 100 characters');

/** Page sizes the inbox serves. */
export const INBOX_PAGE_SIZE_MAX = 200;

/**
 * One inbox query, as a form or the CLI sends it (strings are coerced, empty fields ignored):
 * - `state` (default `new`), `section`, `feed` (its URL), `q`: free text in the title, summary,
 *   source and rewritten title and summary, ignoring case and accents;
 * - `since`: `last-issue` (default) keeps the candidates first seen after the newsletter's last
 *   sent campaign started, `any` keeps them all;
 * - `deadlineBefore` (`YYYY-MM-DD`): a deadline on or before that day;
 * - `sort`: `date` (newest first, the default) or `deadline` (nearest first, none last);
 * - `page` (from 1) and `pageSize` (default 50, at most 200).
 */
export const InboxQuerySchema = z.object({
  newsletterId: newsletterIdSchema,
  state: InboxStateFilterSchema.default('new'),
  since: z
    .enum(['last-issue', 'any'], { error: 'expected last-issue or any' })
    .default('last-issue'),
  section: optionalText(100),
  feed: optionalText(2000),
  q: optionalText(200),
  deadlineBefore: z
    .union([z.literal(''), z.iso.date({ error: 'expected a date written YYYY-MM-DD' })])
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  sort: z.enum(['date', 'deadline'], { error: 'expected date or deadline' }).default('date'),
  page: z.coerce
    .number({ error: 'expected a page number' })
    .int('expected a whole page number')
    .min(1, 'expected a page number from 1')
    .max(100_000)
    .default(1),
  pageSize: z.coerce
    .number({ error: 'expected a page size' })
    .int('expected a whole page size')
    .min(1, 'expected a page size from 1')
    .max(INBOX_PAGE_SIZE_MAX, `expected at most ${INBOX_PAGE_SIZE_MAX} per page`)
    .default(50),
});
/** What callers pass; see {@link InboxQuerySchema}. */
export type InboxQueryInput = z.input<typeof InboxQuerySchema>;
/** A checked inbox query. */
export type InboxQuery = z.output<typeof InboxQuerySchema>;

const candidateIdSchema = z.coerce
  .number({ error: 'expected a candidate id' })
  .int('expected a whole candidate id')
  .positive('expected a positive candidate id')
  .max(Number.MAX_SAFE_INTEGER);

const candidateIdsSchema = z
  .array(candidateIdSchema)
  .min(1, 'expected at least one candidate')
  .max(1000, 'expected at most 1000 candidates at once');

/** Several candidates of one newsletter (ids of another newsletter are refused). */
export const CandidateSelectionSchema = z.object({
  newsletterId: newsletterIdSchema,
  ids: candidateIdsSchema,
});

/**
 * Picking: optionally into a section, and for one candidate optionally with the title and
 * summary rewritten for the issue (empty fields keep the feed's).
 */
export const PickInputSchema = CandidateSelectionSchema.extend({
  sectionId: optionalText(100),
  issueTitle: optionalText(500),
  issueSummary: optionalText(2000),
});
export type PickInput = z.input<typeof PickInputSchema>;

/** Moving candidates to another section of their newsletter. */
export const MoveInputSchema = CandidateSelectionSchema.extend({ sectionId: sectionIdSchema });
export type MoveInput = z.input<typeof MoveInputSchema>;

export type DismissInput = z.input<typeof CandidateSelectionSchema>;

/** A note for the other editors, on one candidate. */
export const NoteInputSchema = z.object({
  newsletterId: newsletterIdSchema,
  candidateId: candidateIdSchema,
  text: z.string().trim().min(1, 'expected a note').max(2000, 'expected at most 2000 characters'),
});
export type NoteInput = z.input<typeof NoteInputSchema>;

/** A note left on a candidate. */
export const CandidateNoteSchema = z.object({
  id: z.number().int().positive(),
  candidateId: z.number().int().positive(),
  editorId: z.number().int().positive(),
  /** The author's name, else address, as the inbox shows it. */
  author: z.string(),
  text: z.string(),
  createdAt: z.date(),
});
export type CandidateNote = z.infer<typeof CandidateNoteSchema>;

/** A row of the inbox: the candidate, its inbox state and its notes (oldest first). */
export type InboxCandidate = Candidate & {
  issueTitle: string | null;
  issueSummary: string | null;
  touchedAt: Date | null;
  state: InboxState;
  notes: CandidateNote[];
};

/** One page of the inbox. */
export interface InboxPage {
  query: InboxQuery;
  items: InboxCandidate[];
  /** Candidates matching the filters, on every page. */
  total: number;
  pageCount: number;
  /** Start of the newsletter's last sent campaign, the bound of `since: 'last-issue'`. */
  lastIssueSentAt: Date | null;
  /** `new` candidates untouched since before this time read `aged`. */
  newCutoff: Date;
}

/** An inbox query resolved against the clock and the campaigns, as the store runs it. */
export interface InboxStoreQuery {
  newsletterId: string;
  state: InboxQuery['state'];
  newCutoff: Date;
  /** Only candidates first seen after this time. */
  firstSeenAfter: Date | null;
  section?: string | undefined;
  feed?: string | undefined;
  q?: string | undefined;
  deadlineBefore?: string | undefined;
  /** Only this candidate (one candidate's page). */
  id?: number | undefined;
  sort: InboxQuery['sort'];
  offset: number;
  limit: number;
}

/** What a triage operation changes on each candidate it touches. */
export interface CandidatePatch {
  status?: Exclude<CandidateStatus, 'new'>;
  sectionId?: string;
  issueTitle?: string | null;
  issueSummary?: string | null;
}

/** The inbox's writes, inside one transaction. */
export interface InboxTransaction {
  /** The candidates with these ids, locked until the transaction ends, in id order. */
  lockCandidates(ids: readonly number[]): Promise<Candidate[]>;
  /** Applies the patch to these candidates and marks them touched at `at`. */
  updateCandidates(ids: readonly number[], patch: CandidatePatch, at: Date): Promise<void>;
  addNote(note: {
    candidateId: number;
    editorId: number;
    text: string;
    at: Date;
  }): Promise<CandidateNote>;
  audit: Pick<AuditStore, 'append'>;
}

/** The store of the editors' inbox (`createInboxRepository` in `src/db`). */
export interface InboxStore {
  /** Start of the newsletter's last campaign that went out (`sending` or `done`), or null. */
  lastSentAt(newsletterId: string): Promise<Date | null>;
  /** One page of candidates, with the count of all that match. */
  page(query: InboxStoreQuery): Promise<{ items: Omit<InboxCandidate, 'notes'>[]; total: number }>;
  /** The notes of these candidates, oldest first. */
  notesOf(candidateIds: readonly number[]): Promise<CandidateNote[]>;
  /** Runs `work` in one transaction: all its writes and audit entries stay, or none. */
  inTransaction<T>(work: (tx: InboxTransaction) => Promise<T>): Promise<T>;
}
