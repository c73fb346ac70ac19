import { describe, expect, it } from 'vitest';

import type { AuditActor } from '../editors/index.ts';
import { approvalOfReview } from './approval.ts';
import { ApproverIsLastChangerError, ReviewTransitionError } from './errors.ts';
import { type IssueReview, newIssueReview, outsideAuthor } from './issue-review.ts';
import {
  applyApprove,
  applyMarkSent,
  applySave,
  applySendBack,
  applySubmit,
  effectiveReview,
} from './review-machine.ts';

const key = 'adn/2026-11';
const h1 = '1'.repeat(64);
const h2 = '2'.repeat(64);
const at = (time: string) => new Date(`2026-11-0${time}Z`);
const ana: AuditActor = { kind: 'editor', editorId: 1, name: 'ana@example.org' };
const bruno: AuditActor = { kind: 'editor', editorId: 2, name: 'bruno@example.org' };
const ops: AuditActor = { kind: 'command-line', name: 'ops' };
const strict = { requireOtherApprover: true };

/** A stored review in `state` for hash h1, last changed by Ana, submitted by Ana. */
function stored(state: IssueReview['state'], patch: Partial<IssueReview> = {}): IssueReview {
  return {
    ...newIssueReview(key, at('1T08:00:00')),
    state,
    contentHash: h1,
    lastChangedBy: ana,
    lastChangedAt: at('1T08:00:00'),
    submittedBy: state === 'draft' ? null : ana,
    submittedAt: state === 'draft' ? null : at('1T09:00:00'),
    approvedBy: state === 'approved' || state === 'sent' ? bruno : null,
    approvedAt: state === 'approved' || state === 'sent' ? at('2T10:30:00') : null,
    version: 3,
    ...patch,
  };
}

const now = at('3T12:00:00');
const eff = (review: IssueReview | null, hash = h1) => effectiveReview(review, key, hash, now);

describe('effectiveReview', () => {
  it('is a draft of unknown authorship when nothing was recorded', () => {
    expect(eff(null)).toMatchObject({
      state: 'draft',
      stored: null,
      hashMatches: null,
      changedAfter: null,
      review: { contentHash: h1, lastChangedBy: null, version: 0 },
    });
  });

  it.each(['draft', 'in_review', 'approved', 'sent'] as const)(
    'keeps the stored %s state while the hash matches',
    (state) => {
      expect(eff(stored(state))).toMatchObject({ state, hashMatches: true, changedAfter: null });
    },
  );

  it.each([
    ['in_review', 'submission'],
    ['approved', 'approval'],
    ['sent', 'sending'],
    ['draft', null],
  ] as const)(
    'reads a %s issue whose file changed as a draft changed outside the workspace',
    (state, changedAfter) => {
      const result = eff(stored(state), h2);
      expect(result).toMatchObject({ state: 'draft', hashMatches: false, changedAfter });
      expect(result.review).toMatchObject({
        contentHash: h2,
        lastChangedBy: outsideAuthor,
        submittedBy: null,
        approvedBy: null,
      });
    },
  );

  it('keeps the stored state of an issue marked sent before any hash was recorded', () => {
    const sent = stored('sent', { contentHash: null });
    expect(eff(sent, h2)).toMatchObject({ state: 'sent', hashMatches: null });
  });
});

describe('applySave', () => {
  it('creates a draft last changed by the saver, without an audit entry', () => {
    const step = applySave(null, key, h1, ana, now);
    expect(step?.review).toMatchObject({
      state: 'draft',
      contentHash: h1,
      lastChangedBy: ana,
      lastChangedAt: now,
      version: 1,
    });
    expect(step?.events).toEqual([]);
  });

  it('changes nothing when the hash is the stored one', () => {
    expect(applySave(stored('approved'), key, h1, bruno, now)).toBeNull();
  });

  it.each(['in_review', 'approved', 'sent'] as const)(
    'returns a %s issue to draft on a change and audits it',
    (state) => {
      const step = applySave(stored(state), key, h2, bruno, now);
      expect(step?.review).toMatchObject({
        state: 'draft',
        contentHash: h2,
        lastChangedBy: bruno,
        approvedBy: null,
        submittedBy: null,
        version: 4,
      });
      expect(step?.events).toEqual([
        {
          actor: bruno,
          action: 'issue.back-to-draft',
          details: { from: state, cause: 'saved', contentHash: h2, previousHash: h1 },
        },
      ]);
    },
  );
});

describe('applySubmit', () => {
  it('puts a draft in review and clears the comment of the last send-back', () => {
    const draft = stored('draft', { comment: 'Relire le chapeau', returnedBy: bruno });
    const step = applySubmit(eff(draft), ana, now);
    expect(step.review).toMatchObject({
      state: 'in_review',
      submittedBy: ana,
      submittedAt: now,
      comment: null,
    });
    expect(step.events.map((event) => event.action)).toEqual(['issue.submit']);
  });

  it('records the return to draft of an approved issue changed outside the workspace', () => {
    const step = applySubmit(eff(stored('approved'), h2), ana, now);
    expect(step.review).toMatchObject({
      state: 'in_review',
      contentHash: h2,
      lastChangedBy: outsideAuthor,
    });
    expect(step.events).toEqual([
      {
        actor: ana,
        action: 'issue.back-to-draft',
        details: {
          from: 'approved',
          cause: 'changed outside the workspace',
          contentHash: h2,
          previousHash: h1,
        },
      },
      {
        actor: ana,
        action: 'issue.submit',
        details: { contentHash: h2, lastChangedBy: 'outside the workspace' },
      },
    ]);
  });

  it.each([
    ['in_review', 'already-in-review', 'Issue adn/2026-11 is already in review'],
    ['approved', 'already-approved', 'Issue adn/2026-11 is already approved'],
    ['sent', 'already-sent', 'Issue adn/2026-11 was already sent'],
  ] as const)('refuses to submit a %s issue', (state, refusal, message) => {
    const error = catchError(() => applySubmit(eff(stored(state)), ana, now));
    expect(error).toBeInstanceOf(ReviewTransitionError);
    expect(error).toMatchObject({ refusal, state, code: 'EREVIEW' });
    expect((error as Error).message).toContain(message);
  });
});

describe('applyApprove', () => {
  it('approves an issue in review, bound to its hash', () => {
    const step = applyApprove(eff(stored('in_review')), bruno, now, strict);
    expect(step.review).toMatchObject({
      state: 'approved',
      approvedBy: bruno,
      approvedAt: now,
      isSelfApproved: false,
      contentHash: h1,
    });
    expect(step.events).toEqual([
      { actor: bruno, action: 'issue.approve', details: { contentHash: h1 } },
    ]);
  });

  it('refuses the last changer when another approver is required', () => {
    const error = catchError(() => applyApprove(eff(stored('in_review')), ana, now, strict));
    expect(error).toBeInstanceOf(ApproverIsLastChangerError);
    expect((error as Error).message).toBe(
      'Issue adn/2026-11 cannot be approved by ana@example.org, who changed its content last: ' +
        'another editor must approve it (REVIEW_REQUIRE_OTHER_APPROVER is on)',
    );
  });

  it('lets the last changer approve when the setting is off, and says so', () => {
    const step = applyApprove(eff(stored('in_review')), ana, now, { requireOtherApprover: false });
    expect(step.review.isSelfApproved).toBe(true);
    expect(step.events[0]?.details).toEqual({
      contentHash: h1,
      selfApproved: true,
      note: 'approved by its own author: allowed because REVIEW_REQUIRE_OTHER_APPROVER=false',
    });
  });

  it('lets the submitter approve content someone else changed last', () => {
    const review = stored('in_review', { lastChangedBy: bruno, submittedBy: ana });
    expect(applyApprove(eff(review), ana, now, strict).review.state).toBe('approved');
  });

  it('holds the submitter answerable for a change made outside the workspace', () => {
    const review = stored('in_review', { lastChangedBy: outsideAuthor, submittedBy: ops });
    const error = catchError(() => applyApprove(eff(review), ops, now, strict));
    expect(error).toBeInstanceOf(ApproverIsLastChangerError);
    expect((error as Error).message).toContain(
      'by command line (ops), who submitted it after it changed outside the workspace',
    );
    expect(applyApprove(eff(review), bruno, now, strict).review.approvedBy).toEqual(bruno);
  });

  it('holds the submitter answerable when no change was ever recorded', () => {
    const review = stored('in_review', { lastChangedBy: null, submittedBy: ana });
    expect(() => applyApprove(eff(review), ana, now, strict)).toThrow(
      'by ana@example.org, who submitted it and is its only known author',
    );
  });

  it('tells a command-line operator from an editor and from another OS user', () => {
    const review = stored('in_review', { lastChangedBy: ops, submittedBy: ops });
    expect(() => applyApprove(eff(review), ops, now, strict)).toThrow(ApproverIsLastChangerError);
    const other: AuditActor = { kind: 'command-line', name: 'marie' };
    expect(applyApprove(eff(review), other, now, strict).review.approvedBy).toEqual(other);
    expect(applyApprove(eff(review), ana, now, strict).review.approvedBy).toEqual(ana);
  });

  it('refuses when the approver looked at another version than the file', () => {
    const error = catchError(() =>
      applyApprove(eff(stored('in_review')), bruno, now, { ...strict, seenHash: h2 }),
    );
    expect(error).toMatchObject({ refusal: 'changed-since-seen' });
  });

  it.each([
    [stored('draft'), h1, 'not-in-review', 'is a draft, not in review'],
    [stored('in_review'), h2, 'changed-since-submitted', 'changed after it was submitted'],
    [stored('approved'), h2, 'changed-since-submitted', 'changed after it was approved'],
    [stored('approved'), h1, 'already-approved', 'is already approved'],
    [stored('sent'), h1, 'already-sent', 'was already sent'],
  ] as const)('refuses to approve (%#): %s', (review, hash, refusal, text) => {
    const error = catchError(() => applyApprove(eff(review, hash), bruno, now, strict));
    expect(error).toBeInstanceOf(ReviewTransitionError);
    expect(error).toMatchObject({ refusal });
    expect((error as Error).message).toContain(text);
  });
});

describe('applySendBack', () => {
  it.each(['in_review', 'approved'] as const)('sends a %s issue back with a comment', (state) => {
    const step = applySendBack(eff(stored(state)), bruno, now, 'Le lien NSF est cassé');
    expect(step.review).toMatchObject({
      state: 'draft',
      returnedBy: bruno,
      returnedAt: now,
      comment: 'Le lien NSF est cassé',
      approvedBy: null,
      submittedBy: null,
    });
    expect(step.events).toEqual([
      {
        actor: bruno,
        action: 'issue.send-back',
        details: { from: state, comment: 'Le lien NSF est cassé', contentHash: h1 },
      },
    ]);
  });

  it.each([
    [stored('draft'), h1, 'not-in-review'],
    [stored('in_review'), h2, 'changed-since-submitted'],
    [stored('sent'), h1, 'already-sent'],
  ] as const)('refuses to send back (%#): %s', (review, hash, refusal) => {
    expect(catchError(() => applySendBack(eff(review, hash), bruno, now, 'x'))).toMatchObject({
      refusal,
    });
  });
});

describe('applyMarkSent', () => {
  it('marks an approved issue sent, keeping its approval and hash', () => {
    const step = applyMarkSent(stored('approved'), key, 12, ops, now);
    expect(step?.review).toMatchObject({
      state: 'sent',
      sentAt: now,
      sentCampaignId: 12,
      approvedBy: bruno,
      contentHash: h1,
    });
    expect(step?.events).toEqual([
      {
        actor: ops,
        action: 'issue.sent',
        details: { campaignId: 12, from: 'approved', wasApproved: true, contentHash: h1 },
      },
    ]);
  });

  it('marks an issue nothing was recorded for sent, unapproved', () => {
    const step = applyMarkSent(null, key, 3, ops, now);
    expect(step?.review).toMatchObject({ state: 'sent', contentHash: null, version: 1 });
    expect(step?.events[0]?.details).toMatchObject({ from: 'draft', wasApproved: false });
  });

  it('records each campaign once', () => {
    const sent = applyMarkSent(stored('approved'), key, 12, ops, now)!.review;
    expect(applyMarkSent(sent, key, 12, ops, now)).toBeNull();
    expect(applyMarkSent(sent, key, 13, ops, now)?.review.sentCampaignId).toBe(13);
  });
});

describe('approvalOfReview', () => {
  it('is approved, by whom and when, for the approved content and after sending', () => {
    for (const state of ['approved', 'sent'] as const) {
      expect(approvalOfReview(eff(stored(state)))).toEqual({
        approved: true,
        by: bruno,
        at: at('2T10:30:00'),
        contentHash: h1,
        isSelfApproved: false,
      });
    }
  });

  it.each([
    [null, h1, 'issue adn/2026-11 is a draft, not submitted for review nor approved'],
    [stored('in_review'), h1, 'issue adn/2026-11 is in review, not approved'],
    [
      stored('approved'),
      h2,
      'issue adn/2026-11 changed after its approval on 2026-11-02 10:30 UTC by bruno@example.org; submit it and approve it again',
    ],
    [
      stored('in_review'),
      h2,
      'issue adn/2026-11 changed after it was submitted for review; submit it again',
    ],
    [
      stored('sent'),
      h2,
      'issue adn/2026-11 changed after it was sent; submit it and approve it again',
    ],
    [
      stored('sent', { approvedBy: null, approvedAt: null }),
      h1,
      'issue adn/2026-11 was sent without an approval; submit it for review and approve it',
    ],
    [
      stored('draft', { returnedBy: bruno, returnedAt: at('2T11:00:00'), comment: 'Trop long' }),
      h1,
      'issue adn/2026-11 was sent back by bruno@example.org on 2026-11-02 11:00 UTC (“Trop long”); it is a draft, not approved',
    ],
  ] as const)('refuses (%#) with a reason', (review, hash, reason) => {
    expect(approvalOfReview(eff(review, hash))).toEqual({ approved: false, reason });
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
