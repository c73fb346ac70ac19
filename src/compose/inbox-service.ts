import type { z } from 'zod';

import type { Newsletter } from '../content/index.ts';
import type { AuditActor } from '../editors/index.ts';
import type { Candidate } from '../feeds/index.ts';
import { type Clock, NotFoundError, ValidationError } from '../lib/index.ts';
import {
  type CandidateNote,
  type CandidatePatch,
  CandidateSelectionSchema,
  type DismissInput,
  type InboxCandidate,
  type InboxPage,
  type InboxQueryInput,
  InboxQuerySchema,
  type InboxStore,
  type InboxTransaction,
  type MoveInput,
  MoveInputSchema,
  type NoteInput,
  NoteInputSchema,
  type PickInput,
  PickInputSchema,
} from './inbox.ts';

const DAY_MS = 86_400_000;

/** Parses an outside input; a failure names each field, the value it got and what it expects. */
function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || what;
    const got = issue.path.reduce<unknown>(
      (v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey],
      value,
    );
    return `${field} ${got === undefined ? '(missing)' : JSON.stringify(got)}: ${issue.message}`;
  });
  throw new ValidationError(`Invalid ${what}: ${problems.join('; ')}`);
}

/** Dependencies of {@link createInboxService}. */
export interface InboxServiceDeps {
  store: InboxStore;
  loadNewsletter: (id: string) => Promise<Newsletter>;
  clock: Clock;
  /** Days after which an untouched `new` candidate reads `aged` (INBOX_NEW_MAX_DAYS). */
  newMaxDays: number;
}

/** The outcome of a triage operation on several candidates. */
export interface TriageOutcome {
  ids: number[];
}

/**
 * The editors' inbox: a newsletter's candidates filtered, sorted and paged, and the triage
 * operations on one or many of them at once — pick (optionally rewriting the title and summary
 * for the issue), dismiss, move to another section, note. Each operation is one transaction
 * holding its changes and its audit entry, with the editor as actor; ids of another newsletter
 * or unknown ids refuse the whole operation.
 */
export function createInboxService(deps: InboxServiceDeps) {
  const { store, clock } = deps;

  function checkSection(newsletter: Newsletter, sectionId: string, field: string): void {
    if (!newsletter.sections.some((section) => section.id === sectionId)) {
      const known = newsletter.sections.map((section) => section.id).join(', ');
      throw new ValidationError(
        `Invalid ${field} '${sectionId}': not a section of '${newsletter.id}' (sections: ${known})`,
      );
    }
  }

  async function requireSection(newsletterId: string, sectionId: string, field: string) {
    checkSection(await deps.loadNewsletter(newsletterId), sectionId, field);
  }

  /** Locks the candidates, all of `newsletterId`, or refuses naming the ids that are not. */
  async function lockAll(
    tx: InboxTransaction,
    newsletterId: string,
    ids: readonly number[],
  ): Promise<Candidate[]> {
    const unique = [...new Set(ids)].sort((a, b) => a - b);
    const found = await tx.lockCandidates(unique);
    const missing = unique.filter(
      (id) => !found.some((c) => c.id === id && c.newsletterId === newsletterId),
    );
    if (missing.length > 0) {
      throw new NotFoundError(`No candidate of '${newsletterId}' with id ${missing.join(', ')}`);
    }
    return found;
  }

  async function apply(
    actor: AuditActor,
    action: string,
    newsletterId: string,
    ids: readonly number[],
    patch: CandidatePatch | ((found: Candidate[]) => CandidatePatch),
    details: (found: Candidate[]) => Record<string, unknown>,
  ): Promise<TriageOutcome> {
    const now = clock.now();
    return store.inTransaction(async (tx) => {
      const found = await lockAll(tx, newsletterId, ids);
      const touched = found.map((candidate) => candidate.id);
      await tx.updateCandidates(touched, typeof patch === 'function' ? patch(found) : patch, now);
      await tx.audit.append(
        {
          actor,
          action,
          objectType: 'candidate',
          objectId: touched.length === 1 ? String(touched[0]) : null,
          details: { newsletterId, ids: touched, count: touched.length, ...details(found) },
        },
        now,
      );
      return { ids: touched };
    });
  }

  return {
    /** One page of a newsletter's inbox; see `InboxQuerySchema` for the filters. */
    async list(input: InboxQueryInput): Promise<InboxPage> {
      const query = parseInput(InboxQuerySchema, input, 'inbox filters');
      const newsletter = await deps.loadNewsletter(query.newsletterId);
      if (query.section) checkSection(newsletter, query.section, 'section');
      const now = clock.now();
      const newCutoff = new Date(now.getTime() - deps.newMaxDays * DAY_MS);
      const lastIssueSentAt = await store.lastSentAt(query.newsletterId);
      const { items, total } = await store.page({
        newsletterId: query.newsletterId,
        state: query.state,
        newCutoff,
        firstSeenAfter: query.since === 'last-issue' ? lastIssueSentAt : null,
        section: query.section,
        feed: query.feed,
        q: query.q,
        deadlineBefore: query.deadlineBefore,
        sort: query.sort,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
      });
      const notes = await store.notesOf(items.map((item) => item.id));
      const notesBy = new Map<number, CandidateNote[]>();
      for (const note of notes) {
        notesBy.set(note.candidateId, [...(notesBy.get(note.candidateId) ?? []), note]);
      }
      return {
        query,
        items: items.map((item) => ({ ...item, notes: notesBy.get(item.id) ?? [] })),
        total,
        pageCount: Math.max(1, Math.ceil(total / query.pageSize)),
        lastIssueSentAt,
        newCutoff,
      };
    },

    /** The newsletter an inbox shows (its sections, for the section choices). */
    newsletter: (id: string): Promise<Newsletter> => deps.loadNewsletter(id),

    /** One candidate of a newsletter with its inbox state and notes, whatever its state. */
    async get(newsletterId: string, rawId: unknown): Promise<InboxCandidate> {
      const { candidateId } = parseInput(
        NoteInputSchema.pick({ newsletterId: true, candidateId: true }),
        { newsletterId, candidateId: rawId },
        'candidate',
      );
      const now = clock.now();
      const { items } = await store.page({
        newsletterId,
        state: 'all',
        newCutoff: new Date(now.getTime() - deps.newMaxDays * DAY_MS),
        firstSeenAfter: null,
        id: candidateId,
        sort: 'date',
        offset: 0,
        limit: 1,
      });
      const [item] = items;
      if (!item) {
        throw new NotFoundError(`No candidate of '${newsletterId}' with id ${candidateId}`);
      }
      return { ...item, notes: await store.notesOf([item.id]) };
    },

    /**
     * Picks candidates for the next issue, optionally into a section; for one candidate, the
     * title and summary given replace the feed's in the issue.
     */
    async pick(actor: AuditActor, input: PickInput): Promise<TriageOutcome> {
      const request = parseInput(PickInputSchema, input, 'pick');
      const rewrites = request.issueTitle !== undefined || request.issueSummary !== undefined;
      if (rewrites && new Set(request.ids).size > 1) {
        throw new ValidationError(
          `Invalid pick: a rewritten title or summary is for one candidate, not ${new Set(request.ids).size}`,
        );
      }
      if (request.sectionId) {
        await requireSection(request.newsletterId, request.sectionId, 'sectionId');
      }
      // A title or summary left as the feed gives it is no rewrite: the feed's stays the truth.
      const patch = (found: Candidate[]): CandidatePatch => {
        const [only] = found;
        const differs = (value: string | undefined, feed: string | undefined) =>
          value !== undefined && value !== feed ? value : null;
        return {
          status: 'picked',
          ...(request.sectionId ? { sectionId: request.sectionId } : {}),
          ...(rewrites && only
            ? {
                issueTitle: differs(request.issueTitle, only.title),
                issueSummary: differs(request.issueSummary, only.summary),
              }
            : {}),
        };
      };
      return apply(actor, 'candidate.pick', request.newsletterId, request.ids, patch, (found) => {
        const rewritten = patch(found);
        return {
          ...(request.sectionId ? { sectionId: request.sectionId } : {}),
          ...(rewritten.issueTitle ? { issueTitle: rewritten.issueTitle } : {}),
          ...(rewritten.issueSummary ? { issueSummary: rewritten.issueSummary } : {}),
        };
      });
    },

    /** Dismisses candidates: they stay stored, so the same item is never proposed again. */
    async dismiss(actor: AuditActor, input: DismissInput): Promise<TriageOutcome> {
      const request = parseInput(CandidateSelectionSchema, input, 'dismissal');
      return apply(
        actor,
        'candidate.dismiss',
        request.newsletterId,
        request.ids,
        { status: 'dismissed' },
        () => ({}),
      );
    },

    /** Moves candidates to another section of their newsletter; their state stays. */
    async move(actor: AuditActor, input: MoveInput): Promise<TriageOutcome> {
      const request = parseInput(MoveInputSchema, input, 'move');
      await requireSection(request.newsletterId, request.sectionId, 'sectionId');
      return apply(
        actor,
        'candidate.move',
        request.newsletterId,
        request.ids,
        { sectionId: request.sectionId },
        (found) => ({
          sectionId: request.sectionId,
          from: Object.fromEntries(found.map((c) => [String(c.id), c.sectionId])),
        }),
      );
    },

    /** Leaves a note on a candidate for the other editors; only an editor can write one. */
    async note(actor: AuditActor, input: NoteInput): Promise<CandidateNote> {
      const request = parseInput(NoteInputSchema, input, 'note');
      if (actor.kind !== 'editor') {
        throw new ValidationError('Invalid note: only a signed-in editor can leave a note');
      }
      const now = clock.now();
      return store.inTransaction(async (tx) => {
        await lockAll(tx, request.newsletterId, [request.candidateId]);
        const note = await tx.addNote({
          candidateId: request.candidateId,
          editorId: actor.editorId,
          text: request.text,
          at: now,
        });
        await tx.updateCandidates([request.candidateId], {}, now);
        await tx.audit.append(
          {
            actor,
            action: 'candidate.note',
            objectType: 'candidate',
            objectId: String(request.candidateId),
            details: { newsletterId: request.newsletterId, noteId: note.id, text: request.text },
          },
          now,
        );
        return note;
      });
    },
  };
}

/** The inbox service. */
export type InboxService = ReturnType<typeof createInboxService>;
