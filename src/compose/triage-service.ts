import type { Newsletter } from '../content/index.ts';
import type { Candidate, CandidateStatus } from '../feeds/index.ts';
import { type Clock, NotFoundError, ValidationError } from '../lib/index.ts';

/** The candidate operations triage needs (`createCandidateRepository` in `src/db`). */
export interface TriageCandidateStore {
  list(filter: {
    newsletterId: string;
    status?: CandidateStatus | undefined;
    since?: Date | undefined;
    limit?: number | undefined;
  }): Promise<Candidate[]>;
  findByIds(ids: readonly number[]): Promise<Candidate[]>;
  setStatus(
    ids: readonly number[],
    status: CandidateStatus,
    at: Date,
    sectionId?: string,
  ): Promise<Candidate[]>;
}

/** Dependencies of {@link createTriageService}. */
export interface TriageServiceDeps {
  candidates: TriageCandidateStore;
  loadNewsletter: (id: string) => Promise<Newsletter>;
  clock: Clock;
}

/**
 * The editorial inbox: list candidate items, pick them (optionally into another section) or
 * dismiss them (`depeche candidates list|pick|dismiss`).
 */
export function createTriageService(deps: TriageServiceDeps) {
  async function existing(ids: readonly number[]): Promise<Candidate[]> {
    const unique = [...new Set(ids)];
    const found = await deps.candidates.findByIds(unique);
    const missing = unique.filter((id) => !found.some((candidate) => candidate.id === id));
    if (missing.length > 0) {
      throw new NotFoundError(`No candidate with id ${missing.join(', ')}`);
    }
    return found;
  }

  return {
    /** Candidates of a newsletter, newest first (the newsletter must exist). */
    async list(filter: {
      newsletterId: string;
      status?: CandidateStatus | undefined;
      since?: Date | undefined;
    }): Promise<Candidate[]> {
      await deps.loadNewsletter(filter.newsletterId);
      return deps.candidates.list(filter);
    },

    /** Picks candidates for the next issue; `sectionId` must be a section of their newsletter. */
    async pick(ids: readonly number[], options: { sectionId?: string | undefined } = {}) {
      const found = await existing(ids);
      if (options.sectionId) {
        for (const newsletterId of new Set(found.map((candidate) => candidate.newsletterId))) {
          const newsletter = await deps.loadNewsletter(newsletterId);
          if (!newsletter.sections.some((section) => section.id === options.sectionId)) {
            const known = newsletter.sections.map((section) => section.id).join(', ');
            throw new ValidationError(
              `Section '${options.sectionId}' is not a section of '${newsletterId}' (sections: ${known})`,
            );
          }
        }
      }
      return deps.candidates.setStatus(
        found.map((candidate) => candidate.id),
        'picked',
        deps.clock.now(),
        options.sectionId,
      );
    },

    /** Dismisses candidates: they stay stored, so the same item is never proposed again. */
    async dismiss(ids: readonly number[]) {
      const found = await existing(ids);
      return deps.candidates.setStatus(
        found.map((candidate) => candidate.id),
        'dismissed',
        deps.clock.now(),
      );
    },
  };
}

/** The triage service. */
export type TriageService = ReturnType<typeof createTriageService>;
