import type { z } from 'zod';

import type { AuditActor, AuditEntry, AuditStore } from '../editors/index.ts';
import { type Clock, ValidationError } from '../lib/index.ts';
import { approvalOfReview, type IssueApproval } from './approval.ts';
import { ReviewTransitionError } from './errors.ts';
import {
  ContentHashSchema,
  IssueKeySchema,
  type IssueReview,
  ReviewCommentSchema,
} from './issue-review.ts';
import type { IssueReviewStore } from './ports.ts';
import {
  applyApprove,
  applyMarkSent,
  applySave,
  applySendBack,
  applySubmit,
  type EffectiveReview,
  effectiveReview,
  type ReviewStep,
} from './review-machine.ts';

/** Dependencies of {@link createIssueReviewService}. */
export interface IssueReviewServiceDeps {
  store: IssueReviewStore;
  audit: Pick<AuditStore, 'append' | 'list'>;
  clock: Clock;
  /** REVIEW_REQUIRE_OTHER_APPROVER: the approver must not be the last changer. @defaultValue true */
  requireOtherApprover: boolean;
}

/** The review of an issue as of its file's current content (see `effectiveReview`). */
export type IssueReviewStatus = EffectiveReview;

/** Options of `approve`. */
export interface ApproveInput {
  /** The hash of the version the approver looked at: refused when the file changed since. */
  seenHash?: string | undefined;
}

/** Parses an input of a caller, as a ValidationError naming it. */
function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues[0]?.message ?? 'invalid';
  throw new ValidationError(`${what}: ${message}`);
}

function parseKey(issueKey: string): string {
  return parseInput(IssueKeySchema, issueKey, `Issue key '${issueKey.slice(0, 120)}'`);
}

function parseHash(hash: string): string {
  return parseInput(ContentHashSchema, hash, 'Content hash');
}

/**
 * The review and approval of issues, and the issue's own state (draft → in review → approved →
 * sent). Every method takes the hash of the issue file as it is now, computed by the caller
 * from the file (the content module's content hash): approval is bound to it, so a file changed
 * outside the workspace reads as a draft changed "outside the workspace". Every transition is
 * appended to the audit log (object type `issue`, id the issue key).
 */
export function createIssueReviewService(deps: IssueReviewServiceDeps) {
  const { store, audit, clock } = deps;

  async function load(issueKey: string, currentHash: string) {
    const key = parseKey(issueKey);
    const hash = parseHash(currentHash);
    const stored = await store.find(key);
    return effectiveReview(stored, key, hash, clock.now());
  }

  /** Stores the step (if nobody changed the review meanwhile) and audits it. */
  async function commit(step: ReviewStep, previous: IssueReview | null): Promise<IssueReview> {
    const isSaved = await store.save(step.review, previous?.version ?? 0);
    if (!isSaved) {
      throw new ReviewTransitionError(
        'concurrent-change',
        step.review.issueKey,
        previous?.state ?? 'draft',
        `Issue ${step.review.issueKey} changed state meanwhile; look at its status and try again`,
      );
    }
    const now = step.review.updatedAt;
    for (const event of step.events) {
      await audit.append(
        {
          actor: event.actor,
          action: event.action,
          objectType: 'issue',
          objectId: step.review.issueKey,
          details: event.details,
        },
        now,
      );
    }
    return step.review;
  }

  async function transition(
    issueKey: string,
    currentHash: string,
    apply: (effective: EffectiveReview, now: Date) => ReviewStep,
  ): Promise<IssueReviewStatus> {
    const effective = await load(issueKey, currentHash);
    const step = apply(effective, clock.now());
    const review = await commit(step, effective.stored);
    return effectiveReview(review, effective.issueKey, effective.currentHash, clock.now());
  }

  return {
    /** The state that counts for the file's current hash; reads only. */
    statusOf: (issueKey: string, currentHash: string): Promise<IssueReviewStatus> =>
      load(issueKey, currentHash),

    /**
     * The stored reviews of several issues (the home page's list), by key; an issue with none
     * is a draft. Pair each with the file's hash through `effectiveReview` for its state.
     */
    async storedReviews(issueKeys: readonly string[]): Promise<Map<string, IssueReview>> {
      const found = await store.findMany(issueKeys.map(parseKey));
      return new Map(found.map((review) => [review.issueKey, review]));
    },

    /**
     * Records a save that wrote `newHash` (call it after the file is written): the issue is a
     * draft last changed by `actor`; during review or after approval, that returns it to draft.
     */
    async recordSave(
      issueKey: string,
      newHash: string,
      actor: AuditActor,
    ): Promise<IssueReviewStatus> {
      const key = parseKey(issueKey);
      const hash = parseHash(newHash);
      const stored = await store.find(key);
      const step = applySave(stored, key, hash, actor, clock.now());
      const review = step ? await commit(step, stored) : stored;
      return effectiveReview(review, key, hash, clock.now());
    },

    /** Submits the draft for review. @throws ReviewTransitionError unless it is a draft. */
    submit: (issueKey: string, currentHash: string, actor: AuditActor) =>
      transition(issueKey, currentHash, (effective, now) => applySubmit(effective, actor, now)),

    /**
     * Approves the issue in review, bound to `currentHash`.
     * @throws ReviewTransitionError unless in review; ApproverIsLastChangerError when the
     *   approver changed it last and REVIEW_REQUIRE_OTHER_APPROVER is on.
     */
    approve: (issueKey: string, currentHash: string, actor: AuditActor, input: ApproveInput = {}) =>
      transition(issueKey, currentHash, (effective, now) =>
        applyApprove(effective, actor, now, {
          requireOtherApprover: deps.requireOtherApprover,
          seenHash: input.seenHash,
        }),
      ),

    /**
     * Sends the issue in review (or approved) back to draft with a comment.
     * @throws ValidationError for an empty or too long comment; ReviewTransitionError otherwise.
     */
    async sendBack(
      issueKey: string,
      currentHash: string,
      actor: AuditActor,
      comment: string,
    ): Promise<IssueReviewStatus> {
      const text = parseInput(ReviewCommentSchema, comment, 'Review comment');
      return transition(issueKey, currentHash, (effective, now) =>
        applySendBack(effective, actor, now, text),
      );
    },

    /**
     * A campaign of the issue started sending: the issue is `sent`. Idempotent per campaign.
     * `actor` is who started it, or the process's own actor for a scheduled start.
     */
    async markSent(issueKey: string, campaignId: number, actor: AuditActor): Promise<IssueReview> {
      const key = parseKey(issueKey);
      // A save or a review may land at the same moment: the sending is recorded after it.
      for (let attempt = 1; ; attempt += 1) {
        const stored = await store.find(key);
        const step = applyMarkSent(stored, key, campaignId, actor, clock.now());
        if (!step) return stored as IssueReview;
        try {
          return await commit(step, stored);
        } catch (error) {
          if (attempt >= 3 || !(error instanceof ReviewTransitionError)) throw error;
        }
      }
    },

    /** The review's history, newest first: the audit entries about the issue. */
    history: (issueKey: string, limit = 100): Promise<AuditEntry[]> =>
      audit.list({ objectType: 'issue', objectId: parseKey(issueKey), limit }),

    /**
     * The gate of campaign creation: approved, with who and when, when the stored approval is of
     * the file's current content; otherwise the reason, in English, naming the issue.
     */
    async approvalOf(issueKey: string, currentHash: string): Promise<IssueApproval> {
      return approvalOfReview(await load(issueKey, currentHash));
    },
  };
}

/** See {@link createIssueReviewService}. */
export type IssueReviewService = ReturnType<typeof createIssueReviewService>;
