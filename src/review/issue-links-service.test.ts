import { describe, expect, it } from 'vitest';

import type { Issue, LinkResult } from '../content/index.ts';
import type { AuditActor, NewAuditEntry } from '../editors/index.ts';
import { fixedClock, NotFoundError, ValidationError } from '../lib/index.ts';
import { ApprovalLinksBrokenError, ReviewTransitionError } from './errors.ts';
import { createIssueLinksService } from './issue-links-service.ts';
import type { IssueReview } from './issue-review.ts';
import { createIssueReviewService } from './issue-review-service.ts';
import type { IssueReviewStore, KnownLinkStore } from './ports.ts';

const key = 'adn/2026-11';
const hash = 'c'.repeat(64);
const ana: AuditActor = { kind: 'editor', editorId: 1, name: 'ana@example.org' };
const bruno: AuditActor = { kind: 'editor', editorId: 2, name: 'bruno@example.org' };

const ok = 'https://example.org/ok';
const gone = 'https://example.org/gone';
const down = 'https://example.org/down';

const issue: Issue = {
  newsletter: 'adn',
  number: 1,
  date: '2026-11-03',
  subject: 'S',
  preheader: 'P',
  introduction: `See [the page](${gone}).`,
  sections: [
    {
      id: 'agences',
      items: [
        { kind: 'news', title: 'A', summary: 'S', url: ok },
        { kind: 'news', title: 'B', summary: 'S', url: down },
      ],
    },
  ],
};

/** In-memory stores and a link checker answering from a table (unknown URLs: no answer). */
function build(answers: Record<string, Omit<LinkResult, 'url'>>) {
  const rows = new Map<string, IssueReview>();
  const store: IssueReviewStore = {
    find: async (issueKey) => rows.get(issueKey) ?? null,
    findMany: async () => [],
    async save(review, expectedVersion) {
      if ((rows.get(review.issueKey)?.version ?? 0) !== expectedVersion) return false;
      rows.set(review.issueKey, review);
      return true;
    },
  };
  const known = new Map<string, AuditActor>();
  const knownLinks: KnownLinkStore = {
    list: async (issueKey) =>
      [...known.keys()]
        .filter((k) => k.startsWith(`${issueKey} `))
        .map((k) => ({ url: k.split(' ')[1]! })),
    mark: async (issueKey, url, actor) => {
      if (!known.has(`${issueKey} ${url}`)) known.set(`${issueKey} ${url}`, actor);
    },
    unmark: async (issueKey, url) => known.delete(`${issueKey} ${url}`),
  };
  const entries: NewAuditEntry[] = [];
  const audit = {
    list: async () => [],
    append: async (entry: NewAuditEntry, at: Date) => {
      entries.push(entry);
      return {
        id: entries.length,
        at,
        actor: entry.actor,
        action: entry.action,
        objectType: null,
        objectId: null,
        details: {},
      };
    },
  };
  const requested: string[][] = [];
  const clock = fixedClock('2026-11-03T12:00:00Z');
  const links = createIssueLinksService({
    loadIssue: async () => ({ issue, locate: (path) => `issues/${key}.yaml: ${path.join('.')}` }),
    linkChecker: {
      check: async (urls) => {
        requested.push([...urls]);
        return urls.map((url) => ({
          url,
          ...(answers[url] ?? { isOk: false, reason: 'no answer within 5 s' }),
        }));
      },
    },
    knownLinks,
    audit,
    clock,
  });
  const review = createIssueReviewService({
    store,
    audit,
    clock,
    requireOtherApprover: true,
    checkLinks: links.checkLinks,
  });
  return { links, review, entries, requested, known };
}

async function inReview(review: ReturnType<typeof build>['review']) {
  await review.recordSave(key, hash, ana);
  await review.submit(key, hash, ana);
}

describe('approval with the link check', () => {
  it('refuses while a link fails unmarked, naming each failing link, and records nothing', async () => {
    const { review, entries } = build({
      [ok]: { isOk: true, status: 200 },
      [gone]: { isOk: false, status: 404, reason: 'HTTP 404' },
    });
    await inReview(review);
    const refused = await review.approve(key, hash, bruno).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApprovalLinksBrokenError);
    const error = refused as ApprovalLinksBrokenError;
    expect(error.code).toBe('ELINKS');
    expect(error.message).toBe(
      [
        'Issue adn/2026-11 cannot be approved: 2 of its 3 links fail; fix them, or mark each as known (depeche issue links --mark-known URL):',
        `  issues/${key}.yaml: introduction: ${gone} — HTTP 404`,
        `  issues/${key}.yaml: sections.0.items.1.url: ${down} — no answer within 5 s`,
      ].join('\n'),
    );
    expect(error.summary).toMatchObject({ checked: 3, ok: 1, broken: 2, known: 0 });
    expect(error.summary.failing).toEqual([
      {
        url: gone,
        where: `issues/${key}.yaml: introduction`,
        status: 404,
        reason: 'HTTP 404',
        isKnown: false,
      },
      {
        url: down,
        where: `issues/${key}.yaml: sections.0.items.1.url`,
        reason: 'no answer within 5 s',
        isKnown: false,
      },
    ]);
    expect((await review.statusOf(key, hash)).state).toBe('in_review');
    expect(entries.map((entry) => entry.action)).toEqual(['issue.submit']);
  });

  it('approves once every failing link is marked known, the counts in the audit entry', async () => {
    const { review, links, entries } = build({
      [ok]: { isOk: true, status: 200 },
      [gone]: { isOk: false, status: 404, reason: 'HTTP 404' },
    });
    await inReview(review);
    await links.markKnown(key, gone, ana);
    await expect(review.approve(key, hash, bruno)).rejects.toThrow(
      '1 of its 3 links fails; fix it',
    );
    await links.markKnown(key, down, ana);
    const status = await review.approve(key, hash, bruno);
    expect(status.state).toBe('approved');
    const approve = entries.find((entry) => entry.action === 'issue.approve');
    expect(approve?.details).toMatchObject({
      links: {
        checked: 3,
        ok: 1,
        broken: 0,
        known: 2,
        failing: [
          expect.objectContaining({ url: gone, status: 404, isKnown: true }),
          expect.objectContaining({ url: down, isKnown: true }),
        ],
      },
    });
    expect(entries.filter((entry) => entry.action === 'issue.link-known')).toEqual([
      expect.objectContaining({
        actor: ana,
        objectType: 'issue',
        objectId: key,
        details: { url: gone },
      }),
      expect.objectContaining({ actor: ana, objectId: key, details: { url: down } }),
    ]);
  });

  it('requests no link when the state refuses the approval', async () => {
    const { review, requested } = build({});
    await expect(review.approve(key, hash, bruno)).rejects.toBeInstanceOf(ReviewTransitionError);
    await inReview(review);
    await expect(review.approve(key, hash, ana)).rejects.toThrow('another editor must approve it');
    expect(requested).toEqual([]);
  });

  it('approves an issue whose links all answer, each URL requested once', async () => {
    const { review, requested, entries } = build({
      [ok]: { isOk: true },
      [gone]: { isOk: true },
      [down]: { isOk: true },
    });
    await inReview(review);
    expect((await review.approve(key, hash, bruno)).state).toBe('approved');
    expect(requested).toHaveLength(1);
    expect(entries.at(-1)?.details).toMatchObject({
      links: { checked: 3, ok: 3, broken: 0, known: 0, failing: [] },
    });
  });
});

describe('marking links known', () => {
  it('refuses a URL that is not a link of the issue, and a bad URL', async () => {
    const { links, entries } = build({});
    await expect(links.markKnown(key, 'https://example.org/elsewhere', ana)).rejects.toThrow(
      new ValidationError(
        'https://example.org/elsewhere is not a link of issue adn/2026-11: nothing to mark',
      ),
    );
    await expect(links.markKnown(key, 'ftp://example.org/x', ana)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(links.markKnown('adn/nope', gone, ana)).rejects.toBeInstanceOf(ValidationError);
    expect(entries).toEqual([]);
  });

  it('unmarks a marked URL, audited, and refuses one that was not marked', async () => {
    const { links, entries, known } = build({});
    await links.markKnown(key, gone, ana);
    await links.unmarkKnown(key, gone, bruno);
    expect(known.size).toBe(0);
    expect(entries.at(-1)).toMatchObject({
      action: 'issue.link-unknown',
      actor: bruno,
      details: { url: gone },
    });
    await expect(links.unmarkKnown(key, gone, bruno)).rejects.toBeInstanceOf(NotFoundError);
  });
});
