import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  createAuditRepository,
  createEditorRepository,
  createIssueReviewRepository,
} from '../../src/db/index.ts';
import { type AuditActor, commandLineActor } from '../../src/editors/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import {
  ApproverIsLastChangerError,
  createIssueReviewService,
  ReviewTransitionError,
} from '../../src/review/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const key = 'fil-de-marianne/2026-12';
const first = 'a'.repeat(64);
const second = 'b'.repeat(64);

describe.each(databaseKinds)('issue reviews on $name', ({ open }) => {
  let database: TestDatabase;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };
  let writer: AuditActor;
  let publisher: AuditActor;

  function build(requireOtherApprover = true) {
    const { db } = database.handle;
    const audit = createAuditRepository(db);
    const store = createIssueReviewRepository(db);
    return {
      audit,
      store,
      review: createIssueReviewService({ store, audit, clock, requireOtherApprover }),
    };
  }

  beforeEach(async () => {
    now = new Date('2026-12-02T08:00:00Z');
    database = await open();
    const editors = createEditorRepository(database.handle.db);
    const a = await editors.insert({ email: 'ana@example.org', role: 'editor', name: 'Ana' }, now);
    const b = await editors.insert(
      { email: 'bruno@example.org', role: 'publisher', name: 'Bruno' },
      now,
    );
    writer = { kind: 'editor', editorId: a!.id, name: a!.email };
    publisher = { kind: 'editor', editorId: b!.id, name: b!.email };
  });
  afterEach(async () => {
    await database.drop();
  });

  it('goes from draft to sent, stores every step and audits each transition', async () => {
    const { review, audit, store } = build();
    await review.recordSave(key, first, writer);
    now = new Date('2026-12-02T09:00:00Z');
    await review.submit(key, first, writer);
    now = new Date('2026-12-02T10:00:00Z');
    const approved = await review.approve(key, first, publisher);
    expect(approved.state).toBe('approved');
    expect(await review.approvalOf(key, first)).toEqual({
      approved: true,
      by: publisher,
      at: new Date('2026-12-02T10:00:00Z'),
      contentHash: first,
      isSelfApproved: false,
    });
    await review.markSent(key, 7, commandLineActor('ops'));
    await review.markSent(key, 7, commandLineActor('ops'));
    const stored = await store.find(key);
    expect(stored).toMatchObject({
      state: 'sent',
      contentHash: first,
      lastChangedBy: writer,
      submittedBy: writer,
      approvedBy: publisher,
      sentCampaignId: 7,
      version: 4,
    });
    const actions = (await audit.list({})).map((entry) => [entry.action, entry.objectId]);
    expect(actions).toEqual([
      ['issue.sent', key],
      ['issue.approve', key],
      ['issue.submit', key],
    ]);
    await review.recordSave('adn/2026-11', first, writer);
    await review.submit('adn/2026-11', first, writer);
    expect((await review.history(key)).map((entry) => entry.action)).toEqual([
      'issue.sent',
      'issue.approve',
      'issue.submit',
    ]);
  });

  it('reads a file changed outside the workspace as a draft and refuses its approval', async () => {
    const { review } = build();
    await review.recordSave(key, first, writer);
    await review.submit(key, first, writer);
    await review.approve(key, first, publisher);
    const status = await review.statusOf(key, second);
    expect(status).toMatchObject({
      state: 'draft',
      hashMatches: false,
      changedAfter: 'approval',
      review: { lastChangedBy: { kind: 'outside', name: 'outside the workspace' } },
    });
    const gate = await review.approvalOf(key, second);
    expect(gate).toEqual({
      approved: false,
      reason:
        `issue ${key} changed after its approval on 2026-12-02 08:00 UTC by bruno@example.org; ` +
        'submit it and approve it again',
    });
  });

  it('refuses the approval by the last changer, and allows it when the setting is off', async () => {
    await build().review.recordSave(key, first, publisher);
    await build().review.submit(key, first, writer);
    await expect(build().review.approve(key, first, publisher)).rejects.toBeInstanceOf(
      ApproverIsLastChangerError,
    );
    const { review, audit } = build(false);
    const approved = await review.approve(key, first, publisher);
    expect(approved.review.isSelfApproved).toBe(true);
    const [entry] = await audit.list({ action: 'issue.approve' });
    expect(entry?.details).toMatchObject({
      selfApproved: true,
      note: 'approved by its own author: allowed because REVIEW_REQUIRE_OTHER_APPROVER=false',
    });
  });

  it('stores a send-back with its comment, and refuses a stale concurrent write', async () => {
    const { review, store } = build();
    await review.recordSave(key, first, writer);
    await review.submit(key, first, writer);
    await review.sendBack(key, first, publisher, 'Le lien de l’appel NSF est cassé.');
    expect(await store.find(key)).toMatchObject({
      state: 'draft',
      comment: 'Le lien de l’appel NSF est cassé.',
      returnedBy: publisher,
      submittedBy: null,
    });
    const current = await store.find(key);
    expect(await store.save({ ...current!, version: current!.version + 1 }, current!.version)).toBe(
      true,
    );
    expect(await store.save({ ...current!, state: 'approved' }, current!.version)).toBe(false);
    await expect(review.approve(key, first, publisher)).rejects.toBeInstanceOf(
      ReviewTransitionError,
    );
    expect(await store.findMany([key, 'adn/2026-11'])).toHaveLength(1);
  });
});
