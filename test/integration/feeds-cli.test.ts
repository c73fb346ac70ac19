import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  type FeedServer,
  neverAnswer,
  redirectTo,
  serveFixture,
  startFeedServer,
} from '../helpers/feed-server.ts';
import { repoRoot, runDepeche } from '../helpers/run-depeche.ts';

// Each command starts Node, tsx and an embedded database: slow on a busy machine, never timed.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const root = repoRoot;
const depeche = runDepeche;

describe('depeche feeds, candidates and issue new (embedded database)', () => {
  let server: FeedServer;
  let workDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startFeedServer({
      '/agency.xml': serveFixture('rss2-content-encoded.xml'),
      '/latin1.xml': serveFixture('latin1-fr.xml'),
      '/agence-old.xml': redirectTo('/latin1.xml', 301),
      '/never.xml': neverAnswer,
    });
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-feeds-cli-'));
    const issuesDir = path.join(workDir, 'issues');
    await mkdir(path.join(issuesDir, 'adn'), { recursive: true });
    const newsletter = await readFile(path.join(root, 'issues/adn/newsletter.yaml'), 'utf8');
    const feeds = [
      'feeds:',
      `  - { url: '${server.url('/agency.xml')}', name: 'Agency', section: agences }`,
      `  - url: '${server.url('/agence-old.xml')}'`,
      `    name: 'Agence'`,
      `    section: mexique`,
      `    sections: [{ keywords: [coopération, cooperation], section: cooperation }]`,
      `  - { url: '${server.url('/never.xml')}', name: 'Never', section: agences }`,
      // Served from a loopback address FEED_ALLOW_PRIVATE_ADDRESSES does not list.
      `  - url: '${server.url('/agency.xml').replace('127.0.0.1', '127.0.0.2')}'`,
      `    name: 'Elsewhere'`,
      `    section: agences`,
      '',
    ].join('\n');
    await writeFile(
      path.join(issuesDir, 'adn', 'newsletter.yaml'),
      newsletter.replace(/^feeds:[\s\S]*$/m, feeds),
    );
    await copyFile(
      path.join(root, 'issues/adn/2026-11.yaml'),
      path.join(issuesDir, 'adn', '2026-11.yaml'),
    );
    env = {
      ISSUES_DIR: issuesDir,
      DATA_DIR: path.join(workDir, 'data'),
      DATABASE_URL: '',
      FEED_TIMEOUT_MS: '1500',
      FEED_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1',
    };
  });
  afterAll(async () => {
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('polls, lists, picks and drafts an issue that passes check', async () => {
    const poll = await depeche(['feeds', 'poll', '--json'], env);
    expect(poll.code, poll.stderr).toBe(0);
    const report = JSON.parse(poll.stdout) as { totals: Record<string, number> };
    expect(report.totals).toMatchObject({ feeds: 4, failed: 2 });

    const health = await depeche(['feeds', 'health'], env);
    expect(health.code).toBe(1);
    expect(health.stdout).toContain('4 feeds, 2 failing or silent, 1 moved.');
    expect(health.stdout).toMatch(/failing\s+adn {2}Never .*timeout/);
    expect(health.stdout).toMatch(
      /failing\s+adn {2}Elsewhere .*forbidden-address: 127\.0\.0\.2 is a special-purpose address \(loopback\)/,
    );
    expect(health.stdout).toMatch(
      new RegExp(
        `ok\\s+adn {2}Agence .* · moved to ${server.url('/latin1.xml')} \\(permanent redirect: update newsletter\\.yaml\\)`,
      ),
    );
    const healthJson = await depeche(['feeds', 'health', '--json'], env);
    const reports = JSON.parse(healthJson.stdout) as Array<{ name: string; movedTo: unknown }>;
    expect(reports.map((r) => [r.name, r.movedTo])).toEqual([
      ['Agency', null],
      ['Agence', server.url('/latin1.xml')],
      ['Never', null],
      ['Elsewhere', null],
    ]);

    const list = await depeche(['candidates', 'list', '--newsletter', 'adn', '--json'], env);
    const candidates = JSON.parse(list.stdout) as Array<{
      id: number;
      title: string;
      sectionId: string;
    }>;
    expect(candidates.length).toBeGreaterThanOrEqual(4);
    // Routed by the feed's rule rather than to its default section (mexique).
    expect(
      candidates.find((c) => c.title.startsWith('Appel à projets « Coopération'))?.sectionId,
    ).toBe('cooperation');
    const ids = candidates.map((c) => String(c.id));

    const pick = await depeche(['candidates', 'pick', ...ids.slice(0, 3)], env);
    expect(pick.stdout).toContain('Picked 3 candidate(s).');
    const dismiss = await depeche(['candidates', 'dismiss', ids[3] ?? '0'], env);
    expect(dismiss.stdout).toContain('Dismissed 1 candidate(s).');
    // The triage from the command line is in the audit log, as the workspace's is.
    const audit = await depeche(['audit', 'list', '--actor', 'command line', '--json'], env);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; objectId: string }>;
    expect(
      entries
        .filter((e) => e.action === 'candidate.pick')
        .map((e) => e.objectId)
        .sort(),
    ).toEqual(ids.slice(0, 3).sort());
    expect(entries.filter((e) => e.action === 'candidate.dismiss').map((e) => e.objectId)).toEqual([
      ids[3],
    ]);

    const draft = await depeche(
      ['issue', 'new', 'adn', '--month', '2027-03', '--from-candidates'],
      env,
    );
    expect(draft.code, draft.stderr).toBe(0);
    expect(draft.stdout).toMatch(/Wrote .*2027-03\.yaml: issue n° 35 of 2027-03-01, 3 item\(s\)/);
    const check = await depeche(
      ['check', path.join(env.ISSUES_DIR ?? '', 'adn/2027-03.yaml')],
      env,
    );
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const refused = await depeche(
      ['issue', 'new', 'adn', '--month', '2027-03', '--from-candidates'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already exists');
    const nothing = await depeche(
      ['issue', 'new', 'adn', '--month', '2027-04', '--from-candidates'],
      env,
    );
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('Nothing new for adn');
  });
});
