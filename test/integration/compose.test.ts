import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createComposeService, createTriageService } from '../../src/compose/index.ts';
import {
  checkFiles,
  IssueFileExistsError,
  loadNewsletter,
  validateIssueText,
} from '../../src/content/index.ts';
import { createCandidateRepository, type Database } from '../../src/db/index.ts';
import type { NewCandidate } from '../../src/feeds/index.ts';
import { createSilentLogger, fixedClock } from '../../src/lib/index.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';

const now = new Date('2026-11-23T09:00:00Z');
const repoIssues = path.resolve('issues');

function candidate(
  overrides: Partial<NewCandidate> & { url: string; title: string },
): NewCandidate {
  return {
    newsletterId: 'adn',
    feedUrl: 'https://agency.example.org/rss.xml',
    sourceName: 'NSF News',
    guid: null,
    canonicalUrl: overrides.url,
    titleKey: overrides.title.toLowerCase(),
    summary: 'Un résumé en texte brut avec <script>alert(1)</script> et *étoiles*.',
    sectionId: 'agences',
    publishedAt: new Date('2026-11-10T12:00:00Z'),
    firstSeenAt: now,
    deadline: null,
    ...overrides,
  };
}

describe.each(databaseKinds)('triage and drafting on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Database;
  let issuesDir: string;

  function services() {
    const candidates = createCandidateRepository(db);
    const loader = (id: string) => loadNewsletter(issuesDir, id);
    return {
      candidates,
      triage: createTriageService({ candidates, loadNewsletter: loader, clock: fixedClock(now) }),
      compose: createComposeService({
        candidates,
        loadNewsletter: loader,
        issuesDir,
        clock: fixedClock(now),
        logger: createSilentLogger(),
      }),
    };
  }

  beforeAll(async () => {
    database = await open();
    db = database.handle.db;
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    await db.execute(sql`TRUNCATE feed_candidates RESTART IDENTITY`);
    issuesDir = await mkdtemp(path.join(tmpdir(), 'depeche-issues-'));
    await cp(path.join(repoIssues, 'adn'), path.join(issuesDir, 'adn'), { recursive: true });
    return () => rm(issuesDir, { recursive: true, force: true });
  });

  it('drafts the picked candidates into a file that passes check, then marks them used', async () => {
    const { candidates, triage, compose } = services();
    await candidates.insertNew([
      candidate({
        url: 'https://nsf.example.org/news/1',
        title: 'NSF budget hearing set for December',
      }),
      candidate({
        url: 'https://nsf.example.org/funding/2',
        title: 'Call for international research networks',
        deadline: '2027-01-15',
      }),
      candidate({
        url: 'https://nsf.example.org/funding/3',
        title: 'A call whose deadline has already passed',
        deadline: '2026-11-01',
      }),
      candidate({
        url: 'https://nsf.example.org/news/4',
        title: 'Dismissed item about nothing much',
      }),
    ]);
    const listed = await triage.list({ newsletterId: 'adn', status: 'new' });
    expect(listed).toHaveLength(4);
    const ids = listed.map((c) => c.id).sort((a, b) => a - b);
    await triage.pick([ids[0] ?? 0, ids[1] ?? 0]);
    await triage.pick([ids[2] ?? 0], { sectionId: 'mexique' });
    await triage.dismiss([ids[3] ?? 0]);
    await expect(triage.pick([ids[0] ?? 0], { sectionId: 'nope' })).rejects.toThrow(
      /not a section/,
    );
    await expect(triage.pick([999])).rejects.toThrow(/No candidate with id 999/);

    const result = await compose.draftIssue({
      newsletterId: 'adn',
      month: '2026-12',
      fromCandidates: true,
    });
    expect(result).toMatchObject({ status: 'written', number: 35, date: '2026-12-01', items: 3 });
    const file = path.join(issuesDir, 'adn', '2026-12.yaml');
    const text = await readFile(file, 'utf8');
    const newsletter = await loadNewsletter(issuesDir, 'adn');
    const validated = validateIssueText(text, {
      file,
      newsletters: [newsletter],
      checkPlacement: true,
    });
    expect(validated.problems).toEqual([]);
    expect(await checkFiles([file], { issuesDir })).toEqual([]);
    const issue = validated.issue;
    expect(issue?.subject).toBe('AdN — décembre 2026');
    const agences = issue?.sections.find((s) => s.id === 'agences');
    expect(agences?.items.map((item) => item.kind)).toEqual(['call', 'news']);
    expect(agences?.items[0]).toMatchObject({
      institution: 'NSF News',
      location: 'À préciser',
      deadline: '2027-01-15',
    });
    expect(agences?.items[1]?.summary).toContain('\\<script\\>');
    expect(issue?.sections.find((s) => s.id === 'mexique')?.items[0]?.kind).toBe('news');

    const used = await candidates.findByIds(ids);
    expect(used.map((c) => c.usedInIssue)).toEqual([
      'adn/2026-12',
      'adn/2026-12',
      'adn/2026-12',
      null,
    ]);

    // Nothing new: nothing written.
    const again = await compose.draftIssue({
      newsletterId: 'adn',
      month: '2027-01',
      fromCandidates: true,
    });
    expect(again).toEqual({ status: 'nothing-new', newsletterId: 'adn', month: '2027-01' });
    await expect(readFile(path.join(issuesDir, 'adn', '2027-01.yaml'))).rejects.toThrow();
  });

  it('refuses to overwrite an existing issue file', async () => {
    const { compose } = services();
    const before = await readFile(path.join(issuesDir, 'adn', '2026-11.yaml'), 'utf8');
    await expect(
      compose.draftIssue({ newsletterId: 'adn', month: '2026-11', fromCandidates: false }),
    ).rejects.toBeInstanceOf(IssueFileExistsError);
    expect(await readFile(path.join(issuesDir, 'adn', '2026-11.yaml'), 'utf8')).toBe(before);
  });

  it('drafts a skeleton that passes check without candidates', async () => {
    const { compose } = services();
    const skeleton = await compose.draftIssue({
      newsletterId: 'adn',
      month: '2027-02',
      fromCandidates: false,
    });
    expect(skeleton).toMatchObject({ status: 'written', number: 35, items: 1 });
    const file = path.join(issuesDir, 'adn', '2027-02.yaml');
    expect(await checkFiles([file], { issuesDir })).toEqual([]);
  });
});
