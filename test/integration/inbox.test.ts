import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createInboxService, selectCandidates } from '../../src/compose/index.ts';
import { loadNewsletter } from '../../src/content/index.ts';
import {
  createAuditRepository,
  createCandidateRepository,
  createEditorRepository,
  createInboxRepository,
  type Database,
  queryRows,
} from '../../src/db/index.ts';
import { type AuditActor, commandLineActor } from '../../src/editors/index.ts';
import type { NewCandidate } from '../../src/feeds/index.ts';
import type { Clock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const issuesDir = path.resolve('issues');
const DAY = 86_400_000;

function candidate(
  overrides: Partial<NewCandidate> & { url: string; title: string },
): NewCandidate {
  return {
    newsletterId: 'fil-de-marianne',
    feedUrl: 'https://cnrs.example.org/rss.xml',
    sourceName: 'CNRS — Actualités',
    guid: null,
    canonicalUrl: overrides.url,
    titleKey: overrides.title.toLowerCase(),
    summary: '',
    sectionId: 'postes',
    publishedAt: null,
    firstSeenAt: new Date('2026-11-20T09:00:00Z'),
    deadline: null,
    ...overrides,
  };
}

describe.each(databaseKinds)('the editors’ inbox on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;
  let now: Date;
  const clock: Clock = { now: () => new Date(now) };
  let editor: AuditActor & { kind: 'editor' };

  function build(newMaxDays = 45) {
    return {
      inbox: createInboxService({
        store: createInboxRepository(db),
        loadNewsletter: (id) => loadNewsletter(issuesDir, id),
        clock,
        newMaxDays,
      }),
      candidates: createCandidateRepository(db),
    };
  }

  async function idsByTitle(): Promise<Record<string, number>> {
    const rows = await queryRows<{ id: number | string; title: string }>(
      db,
      sql`SELECT id, title FROM feed_candidates`,
    );
    return Object.fromEntries(rows.map((row) => [row.title, Number(row.id)]));
  }

  let auditBefore = 0;
  /** The audit entries of this test, newest first (the log is append-only: nothing empties it). */
  const auditOfTest = async (filter: { action?: string } = {}) =>
    (await createAuditRepository(db).list(filter)).filter((entry) => entry.id > auditBefore);

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
    const account = await createEditorRepository(db).insert(
      { email: 'claire@example.org', name: 'Claire', role: 'editor' },
      new Date('2026-11-01T00:00:00Z'),
    );
    if (!account) throw new Error('no editor');
    editor = { kind: 'editor', editorId: account.id, name: account.email };
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    now = new Date('2026-12-01T10:00:00Z');
    await db.execute(
      sql`TRUNCATE feed_candidates, candidate_notes, campaigns RESTART IDENTITY CASCADE`,
    );
    const [last] = await queryRows<{ id: number | string | null }>(
      db,
      sql`SELECT max(id) AS id FROM audit_log`,
    );
    auditBefore = Number(last?.id ?? 0);
    await build().candidates.insertNew([
      candidate({
        url: 'https://cnrs.example.org/1',
        title: 'Postdoc à l’École normale supérieure',
        summary: 'Un poste en écologie marine.',
        publishedAt: new Date('2026-11-25T08:00:00Z'),
        deadline: '2027-01-10',
      }),
      candidate({
        url: 'https://cnrs.example.org/2',
        title: 'Chaire de professeur junior',
        sectionId: 'appels',
        publishedAt: new Date('2026-11-28T08:00:00Z'),
        deadline: '2026-12-15',
      }),
      candidate({
        url: 'https://inria.example.org/3',
        title: 'Prix Inria de la recherche',
        feedUrl: 'https://inria.example.org/rss.xml',
        sourceName: 'Inria',
        sectionId: 'prix',
        publishedAt: new Date('2026-11-27T08:00:00Z'),
      }),
      candidate({
        url: 'https://cnrs.example.org/old',
        title: 'Ancienne offre jamais regardée',
        firstSeenAt: new Date('2026-09-01T08:00:00Z'),
        publishedAt: new Date('2026-09-01T08:00:00Z'),
      }),
      candidate({
        newsletterId: 'adn',
        url: 'https://nsf.example.org/1',
        title: 'NSF École budget',
        sectionId: 'agences',
      }),
    ]);
  });

  it('lists the new candidates of one newsletter, newest first, with filters and sorting', async () => {
    const { inbox } = build();
    const page = await inbox.list({ newsletterId: 'fil-de-marianne' });
    expect(page.items.map((item) => item.title)).toEqual([
      'Chaire de professeur junior',
      'Prix Inria de la recherche',
      'Postdoc à l’École normale supérieure',
    ]);
    expect(page).toMatchObject({ total: 3, pageCount: 1, lastIssueSentAt: null });
    expect(page.items[0]).toMatchObject({ state: 'new', notes: [], issueTitle: null });

    const bySection = await inbox.list({ newsletterId: 'fil-de-marianne', section: 'prix' });
    expect(bySection.items.map((item) => item.title)).toEqual(['Prix Inria de la recherche']);
    const byFeed = await inbox.list({
      newsletterId: 'fil-de-marianne',
      feed: 'https://inria.example.org/rss.xml',
    });
    expect(byFeed.total).toBe(1);
    const byDeadline = await inbox.list({
      newsletterId: 'fil-de-marianne',
      deadlineBefore: '2026-12-31',
    });
    expect(byDeadline.items.map((item) => item.title)).toEqual(['Chaire de professeur junior']);
    const sorted = await inbox.list({ newsletterId: 'fil-de-marianne', sort: 'deadline' });
    expect(sorted.items.map((item) => item.deadline)).toEqual(['2026-12-15', '2027-01-10', null]);
    // Empty form fields are no filter.
    const blank = await inbox.list({
      newsletterId: 'fil-de-marianne',
      section: '',
      feed: '',
      q: ' ',
      deadlineBefore: '',
    });
    expect(blank.total).toBe(3);
  });

  it('finds text whatever its accents and case, and takes % and _ literally', async () => {
    const { inbox } = build();
    for (const q of ['Ecole', 'école', 'ÉCOLE', 'ecologie marine', 'inria']) {
      const page = await inbox.list({ newsletterId: 'fil-de-marianne', q });
      expect(page.total, q).toBe(1);
    }
    const ecole = await inbox.list({ newsletterId: 'fil-de-marianne', q: 'ecole' });
    expect(ecole.items[0]?.title).toBe('Postdoc à l’École normale supérieure');
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', q: '%' })).total).toBe(0);
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', q: 'l_ecole' })).total).toBe(0);
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', q: "l'ecole" })).total).toBe(1);
  });

  it('pages with the total count of every page', async () => {
    const { inbox, candidates } = build();
    await candidates.insertNew(
      Array.from({ length: 45 }, (_, index) =>
        candidate({
          url: `https://bulk.example.org/${index}`,
          title: `Offre numéro ${index}`,
          publishedAt: new Date(Date.UTC(2026, 10, 1, 0, index)),
        }),
      ),
    );
    const first = await inbox.list({ newsletterId: 'fil-de-marianne', pageSize: 20 });
    const third = await inbox.list({ newsletterId: 'fil-de-marianne', pageSize: '20', page: '3' });
    expect(first).toMatchObject({ total: 48, pageCount: 3 });
    expect(first.items).toHaveLength(20);
    expect(third.items).toHaveLength(8);
    const all = [];
    for (let page = 1; page <= 3; page += 1) {
      all.push(
        ...(await inbox.list({ newsletterId: 'fil-de-marianne', pageSize: 20, page })).items,
      );
    }
    expect(new Set(all.map((item) => item.id)).size).toBe(48);
    const beyond = await inbox.list({ newsletterId: 'fil-de-marianne', pageSize: 20, page: 9 });
    expect(beyond).toMatchObject({ items: [], total: 48 });
  });

  it('shows by default only what arrived since the last sent campaign', async () => {
    const { inbox } = build();
    await db.execute(sql`INSERT INTO campaigns (newsletter_id, issue_key, status, content_hash, started_at)
      VALUES ('fil-de-marianne', 'fil-de-marianne/2026-11', 'done', 'h', '2026-11-24T00:00:00Z'),
             ('fil-de-marianne', 'fil-de-marianne/2026-12', 'draft', 'h', NULL)`);
    await db.execute(sql`UPDATE feed_candidates SET first_seen_at = published_at
      WHERE published_at IS NOT NULL`);
    const page = await inbox.list({ newsletterId: 'fil-de-marianne' });
    expect(page.lastIssueSentAt).toEqual(new Date('2026-11-24T00:00:00Z'));
    expect(page.items.map((item) => item.title)).toEqual([
      'Chaire de professeur junior',
      'Prix Inria de la recherche',
      'Postdoc à l’École normale supérieure',
    ]);
    await db.execute(
      sql`UPDATE campaigns SET started_at = '2026-11-26T00:00:00Z' WHERE status = 'done'`,
    );
    expect((await inbox.list({ newsletterId: 'fil-de-marianne' })).total).toBe(2);
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', since: 'any' })).total).toBe(3);
  });

  it('lets a candidate untouched for longer than the age drop out of new by itself', async () => {
    const { inbox } = build(45);
    const ids = await idsByTitle();
    const aged = await inbox.list({ newsletterId: 'fil-de-marianne', state: 'aged' });
    expect(aged.items.map((item) => item.title)).toEqual(['Ancienne offre jamais regardée']);
    expect(aged.items[0]?.state).toBe('aged');
    const all = await inbox.list({ newsletterId: 'fil-de-marianne', state: 'all' });
    expect(all.total).toBe(4);
    // A note touches it: it is new again, and 46 days later it ages once more.
    await inbox.note(editor, {
      newsletterId: 'fil-de-marianne',
      candidateId: ids['Ancienne offre jamais regardée'] ?? 0,
      text: 'À regarder',
    });
    expect((await inbox.list({ newsletterId: 'fil-de-marianne' })).total).toBe(4);
    now = new Date(now.getTime() + 46 * DAY);
    expect((await inbox.list({ newsletterId: 'fil-de-marianne' })).total).toBe(0);
    expect((await build(60).inbox.list({ newsletterId: 'fil-de-marianne' })).total).toBe(4);
  });

  it('picks, dismisses and moves many at once, each in one audited transaction', async () => {
    const { inbox } = build();
    const ids = await idsByTitle();
    const postdoc = ids['Postdoc à l’École normale supérieure'] ?? 0;
    const chaire = ids['Chaire de professeur junior'] ?? 0;
    const prix = ids['Prix Inria de la recherche'] ?? 0;
    const old = ids['Ancienne offre jamais regardée'] ?? 0;

    expect(
      await inbox.move(editor, {
        newsletterId: 'fil-de-marianne',
        ids: [postdoc, chaire],
        sectionId: 'bourses',
      }),
    ).toEqual({ ids: [postdoc, chaire].sort((a, b) => a - b) });
    expect(
      await inbox.pick(editor, { newsletterId: 'fil-de-marianne', ids: [postdoc, chaire, chaire] }),
    ).toEqual({
      ids: [postdoc, chaire].sort((a, b) => a - b),
    });
    await inbox.dismiss(editor, { newsletterId: 'fil-de-marianne', ids: [prix, old] });

    const picked = await inbox.list({ newsletterId: 'fil-de-marianne', state: 'picked' });
    expect(picked.items.map((item) => [item.title, item.sectionId, item.state])).toEqual([
      ['Chaire de professeur junior', 'bourses', 'picked'],
      ['Postdoc à l’École normale supérieure', 'bourses', 'picked'],
    ]);
    expect(picked.items[0]?.touchedAt).toEqual(now);
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', state: 'dismissed' })).total).toBe(
      2,
    );
    expect((await inbox.list({ newsletterId: 'fil-de-marianne', state: 'all' })).total).toBe(4);

    const entries = await auditOfTest();
    expect(entries.map((entry) => entry.action)).toEqual([
      'candidate.dismiss',
      'candidate.pick',
      'candidate.move',
    ]);
    expect(entries[2]).toMatchObject({
      actor: editor,
      objectType: 'candidate',
      objectId: null,
      details: {
        newsletterId: 'fil-de-marianne',
        count: 2,
        sectionId: 'bourses',
        from: { [String(postdoc)]: 'postes', [String(chaire)]: 'appels' },
      },
    });
  });

  it('refuses the whole operation when one id is unknown or of another newsletter', async () => {
    const { inbox } = build();
    const ids = await idsByTitle();
    const postdoc = ids['Postdoc à l’École normale supérieure'] ?? 0;
    const nsf = ids['NSF École budget'] ?? 0;
    await expect(
      inbox.pick(editor, { newsletterId: 'fil-de-marianne', ids: [postdoc, nsf] }),
    ).rejects.toThrow(`No candidate of 'fil-de-marianne' with id ${nsf}`);
    await expect(
      inbox.dismiss(editor, { newsletterId: 'fil-de-marianne', ids: [postdoc, 999_999] }),
    ).rejects.toThrow(/with id 999999/);
    await expect(
      inbox.move(editor, { newsletterId: 'fil-de-marianne', ids: [postdoc], sectionId: 'agences' }),
    ).rejects.toThrow(
      "Invalid sectionId 'agences': not a section of 'fil-de-marianne' (sections: postes, appels, bourses, prix, evenements)",
    );
    const page = await inbox.list({ newsletterId: 'fil-de-marianne' });
    expect(page.items.every((item) => item.state === 'new' && item.touchedAt === null)).toBe(true);
    expect(await auditOfTest()).toEqual([]);
  });

  it('rewrites the title and summary of one picked candidate for the issue', async () => {
    const { inbox, candidates } = build();
    const ids = await idsByTitle();
    const chaire = ids['Chaire de professeur junior'] ?? 0;
    await inbox.pick(editor, {
      newsletterId: 'fil-de-marianne',
      ids: [chaire],
      sectionId: 'postes',
      issueTitle: 'Chaires de professeur junior 2027 : ouverture',
      issueSummary: 'Cinquante chaires ouvertes, candidature avant le 15 décembre.',
    });
    const page = await inbox.list({ newsletterId: 'fil-de-marianne', state: 'picked' });
    expect(page.items[0]).toMatchObject({
      title: 'Chaire de professeur junior',
      issueTitle: 'Chaires de professeur junior 2027 : ouverture',
      issueSummary: 'Cinquante chaires ouvertes, candidature avant le 15 décembre.',
      sectionId: 'postes',
    });
    // The rewritten text is searchable, and it is what the issue gets.
    const found = await inbox.list({
      newsletterId: 'fil-de-marianne',
      state: 'picked',
      q: 'cinquante',
    });
    expect(found.total).toBe(1);
    const newsletter = await loadNewsletter(issuesDir, 'fil-de-marianne');
    const selection = selectCandidates(
      await candidates.listPickedUnused('fil-de-marianne'),
      newsletter,
      '2026-12-01',
    );
    expect(selection.sections[0]?.items[0]).toMatchObject({
      title: 'Chaires de professeur junior 2027 : ouverture',
      summary: 'Cinquante chaires ouvertes, candidature avant le 15 décembre.',
    });
    expect((await auditOfTest())[0]).toMatchObject({
      action: 'candidate.pick',
      objectId: String(chaire),
      details: { issueTitle: 'Chaires de professeur junior 2027 : ouverture' },
    });
    // Given back the feed's own text (the form comes pre-filled with it), the rewrite goes.
    await inbox.pick(editor, {
      newsletterId: 'fil-de-marianne',
      ids: [chaire],
      issueTitle: 'Chaire de professeur junior',
      issueSummary: '',
    });
    const undone = await inbox.get('fil-de-marianne', chaire);
    expect(undone).toMatchObject({ issueTitle: null, issueSummary: null, state: 'picked' });
    await expect(
      inbox.pick(editor, {
        newsletterId: 'fil-de-marianne',
        ids: [chaire, ids['Prix Inria de la recherche'] ?? 0],
        issueTitle: 'Un titre pour deux',
      }),
    ).rejects.toThrow('a rewritten title or summary is for one candidate, not 2');
  });

  it('keeps the notes of the editors on a candidate, with author and time', async () => {
    const { inbox } = build();
    const ids = await idsByTitle();
    const prix = ids['Prix Inria de la recherche'] ?? 0;
    const first = await inbox.note(editor, {
      newsletterId: 'fil-de-marianne',
      candidateId: prix,
      text: '  Vérifier la date limite  ',
    });
    expect(first).toMatchObject({
      candidateId: prix,
      author: 'Claire',
      text: 'Vérifier la date limite',
    });
    now = new Date(now.getTime() + 60_000);
    await inbox.note(editor, {
      newsletterId: 'fil-de-marianne',
      candidateId: String(prix),
      text: 'Fait',
    });
    const page = await inbox.list({ newsletterId: 'fil-de-marianne', section: 'prix' });
    expect(page.items[0]?.notes.map((note) => [note.text, note.author, note.createdAt])).toEqual([
      ['Vérifier la date limite', 'Claire', new Date('2026-12-01T10:00:00Z')],
      ['Fait', 'Claire', new Date('2026-12-01T10:01:00Z')],
    ]);
    expect(page.items[0]?.state).toBe('new');
    expect((await auditOfTest({ action: 'candidate.note' })).length).toBe(2);
    await db.execute(sql`DELETE FROM feed_candidates WHERE id = ${prix}`);
    expect(
      await build().inbox.list({ newsletterId: 'fil-de-marianne', state: 'all' }),
    ).toMatchObject({ total: 3 });
    const left = await queryRows(
      db,
      sql`SELECT id FROM candidate_notes WHERE candidate_id = ${prix}`,
    );
    expect(left).toEqual([]);
    await expect(
      inbox.note(commandLineActor('ops'), {
        newsletterId: 'fil-de-marianne',
        candidateId: prix,
        text: 'x',
      }),
    ).rejects.toThrow('only a signed-in editor can leave a note');
    await expect(
      inbox.note(editor, { newsletterId: 'adn', candidateId: prix, text: 'x' }),
    ).rejects.toThrow(`No candidate of 'adn' with id ${prix}`);
  });

  it('refuses bad inputs, naming the field, the value and what it expects', async () => {
    const { inbox } = build();
    const cases: [() => Promise<unknown>, string | RegExp][] = [
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', state: 'old' as never }),
        'Invalid inbox filters: state "old": expected one of new, aged, picked, dismissed, all',
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', deadlineBefore: '15/12/2026' }),
        'deadlineBefore "15/12/2026": expected a date written YYYY-MM-DD',
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', page: '0' }),
        'page "0": expected a page number from 1',
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', pageSize: 500 }),
        'pageSize 500: expected at most 200 per page',
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', sort: 'title' as never }),
        'sort "title": expected date or deadline',
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', q: 'x'.repeat(201) }),
        /q "x+": expected at most 200 characters/,
      ],
      [
        () => inbox.list({ newsletterId: 'fil-de-marianne', section: 'nope' }),
        "Invalid section 'nope': not a section of 'fil-de-marianne'",
      ],
      [
        () => inbox.list({ newsletterId: 'Nope!' }),
        'newsletterId "Nope!": expected a newsletter id such as adn',
      ],
      [() => inbox.list({ newsletterId: 'inconnue' }), "Unknown newsletter 'inconnue'"],
      [
        () => inbox.pick(editor, { newsletterId: 'fil-de-marianne', ids: [] }),
        'Invalid pick: ids []: expected at least one candidate',
      ],
      [
        () => inbox.dismiss(editor, { newsletterId: 'fil-de-marianne', ids: ['abc' as never] }),
        'Invalid dismissal: ids.0 "abc": expected a candidate id',
      ],
      [
        () => inbox.dismiss(editor, { newsletterId: 'fil-de-marianne', ids: [-1] }),
        'ids.0 -1: expected a positive candidate id',
      ],
      [
        () => inbox.move(editor, { newsletterId: 'fil-de-marianne', ids: [1] } as never),
        'Invalid move: sectionId (missing)',
      ],
      [
        () => inbox.note(editor, { newsletterId: 'fil-de-marianne', candidateId: 1, text: '   ' }),
        'Invalid note: text "   ": expected a note',
      ],
    ];
    for (const [run, message] of cases) {
      await expect(run()).rejects.toThrow(message);
    }
  });
});
