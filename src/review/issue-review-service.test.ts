import { describe, expect, it } from 'vitest';

import type { AuditActor, NewAuditEntry } from '../editors/index.ts';
import { fixedClock, ValidationError } from '../lib/index.ts';
import { ReviewTransitionError } from './errors.ts';
import type { IssueReview } from './issue-review.ts';
import { createIssueReviewService } from './issue-review-service.ts';
import type { IssueReviewStore } from './ports.ts';

const key = 'adn/2026-11';
const h1 = 'c'.repeat(64);
const ana: AuditActor = { kind: 'editor', editorId: 1, name: 'ana@example.org' };
const bruno: AuditActor = { kind: 'editor', editorId: 2, name: 'bruno@example.org' };

/** An in-memory store; `interfere` runs once before the next save (a concurrent writer). */
function memoryStore() {
  const rows = new Map<string, IssueReview>();
  let interfere: (() => void) | undefined;
  const store: IssueReviewStore = {
    find: async (issueKey) => rows.get(issueKey) ?? null,
    findMany: async (keys) => keys.flatMap((k) => (rows.has(k) ? [rows.get(k)!] : [])),
    async save(review, expectedVersion) {
      const run = interfere;
      interfere = undefined;
      run?.();
      if ((rows.get(review.issueKey)?.version ?? 0) !== expectedVersion) return false;
      rows.set(review.issueKey, review);
      return true;
    },
  };
  return { store, rows, interfereOnce: (run: () => void) => (interfere = run) };
}

function build() {
  const memory = memoryStore();
  const entries: NewAuditEntry[] = [];
  const review = createIssueReviewService({
    store: memory.store,
    audit: {
      list: async () => [],
      append: async (entry, at) => {
        entries.push(entry);
        return {
          id: entries.length,
          at,
          actor: entry.actor,
          action: entry.action,
          objectType: entry.objectType ?? null,
          objectId: entry.objectId ?? null,
          details: entry.details ?? {},
        };
      },
    },
    clock: fixedClock('2026-11-03T12:00:00Z'),
    requireOtherApprover: true,
  });
  return { review, entries, ...memory };
}

describe('createIssueReviewService', () => {
  it('audits each transition with the issue as object', async () => {
    const { review, entries } = build();
    await review.recordSave(key, h1, ana);
    await review.submit(key, h1, ana);
    await review.approve(key, h1, bruno);
    expect(entries).toEqual([
      expect.objectContaining({ action: 'issue.submit', objectType: 'issue', objectId: key }),
      expect.objectContaining({ action: 'issue.approve', actor: bruno, objectId: key }),
    ]);
  });

  it('refuses bad input with a ValidationError naming it', async () => {
    const { review } = build();
    await expect(review.statusOf('adn/2026-13', h1)).rejects.toThrow(
      "Issue key 'adn/2026-13': expected an issue key such as adn/2026-11",
    );
    await expect(review.submit(key, 'short', ana)).rejects.toBeInstanceOf(ValidationError);
    await review.recordSave(key, h1, ana);
    await review.submit(key, h1, ana);
    await expect(review.sendBack(key, h1, bruno, '   ')).rejects.toThrow(
      'Review comment: a comment saying what to change is required',
    );
    await expect(review.sendBack(key, h1, bruno, 'x'.repeat(2001))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('refuses a transition when another one was stored meanwhile, and stores nothing', async () => {
    const { review, rows, interfereOnce, entries } = build();
    await review.recordSave(key, h1, ana);
    await review.submit(key, h1, ana);
    interfereOnce(() => rows.set(key, { ...rows.get(key)!, version: 99 }));
    const error: unknown = await review.approve(key, h1, bruno).catch((caught) => caught);
    expect(error).toBeInstanceOf(ReviewTransitionError);
    expect(error).toMatchObject({ refusal: 'concurrent-change' });
    expect(rows.get(key)?.state).toBe('in_review');
    expect(entries.map((entry) => entry.action)).toEqual(['issue.submit']);
  });

  it('records the sending after a concurrent change instead of failing', async () => {
    const { review, rows, interfereOnce } = build();
    await review.recordSave(key, h1, ana);
    interfereOnce(() => rows.set(key, { ...rows.get(key)!, version: 5 }));
    const sent = await review.markSent(key, 4, bruno);
    expect(sent).toMatchObject({ state: 'sent', sentCampaignId: 4, version: 6 });
  });

  it('lists the stored reviews of several issues by key', async () => {
    const { review } = build();
    await review.recordSave(key, h1, ana);
    const found = await review.storedReviews([key, 'adn/2026-12']);
    expect([...found.keys()]).toEqual([key]);
  });
});
