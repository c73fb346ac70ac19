import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CheckProblem } from '../../src/content/index.ts';

const fixtures = 'test/fixtures/issues';

/** Runs the real CLI; never throws, returns the exit code and both outputs. */
function depeche(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/depeche.js', ...args],
      { env: { ...process.env, ISSUES_DIR: fixtures, LOG_LEVEL: 'warn', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('depeche check', () => {
  it('passes the shipped newsletters and sample issues', async () => {
    const result = await depeche(['check'], { ISSUES_DIR: 'issues' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('4 files checked, no problems.\n');
    expect(result.code).toBe(0);
  });

  it('passes a valid issue file given by path', async () => {
    const result = await depeche(['check', `${fixtures}/adn/2026-10.yaml`]);
    expect(result.stdout).toBe('1 file checked, no problems.\n');
    expect(result.code).toBe(0);
  });

  it('reports every problem of every file in one run, with file, line and location', async () => {
    const result = await depeche(['check']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    const file = `${fixtures}/adn/2026-01.yaml`;
    expect(lines).toEqual([
      `${file}:11: sections[0].items[0].deadline: missing required field 'deadline'`,
      `${file}:20: sections[0].items[1].url: must be an http:// or https:// URL, got 'ftp://example.org/fichier'`,
      `${file}:27: sections[0].items[2].deadline: must be a real date written YYYY-MM-DD, got '2026-02-30'`,
      `${file}:31: sections[0].items[3].url: duplicate link: same URL as sections[0].items[0]`,
      `${file}:38: sections[0].items[4].deadline: deadline 2026-01-10 is already past on the issue date 2026-01-15`,
      `${file}:44: sections[0].items[5].end: end 2026-03-10 is before start 2026-03-12`,
      `${file}:46: sections[1].id: unknown section 'inconnue' of newsletter 'adn' (sections: agences, mexique)`,
      `${file}:48: sections[1].items[0].kind: unknown kind 'interview' (one of: news, event, job, call, fellowship, prize, publication)`,
      `${fixtures}/adn/2026-02.yaml:5: YAML syntax error: Missing closing "quote`,
      `${fixtures}/adn/2026-03.yaml:4: date: file name '2026-03.yaml' does not match the issue date 2026-04-02; name it '2026-04.yaml'`,
      `${fixtures}/fil-de-marianne/2026-05.yaml:2: newsletter: issue of newsletter 'adn' is in folder 'fil-de-marianne'; move it to 'adn/'`,
      `${fixtures}/inconnue/2026-06.yaml:2: newsletter: unknown newsletter 'inconnue' (known: adn, fil-de-marianne)`,
      '12 problems in 5 of 8 files.',
    ]);
  });

  it('prints the files and problems as JSON with --json', async () => {
    const result = await depeche(['check', `${fixtures}/adn`, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { files: string[]; problems: CheckProblem[] };
    expect(report.files).toEqual([
      `${fixtures}/adn/newsletter.yaml`,
      `${fixtures}/adn/2026-01.yaml`,
      `${fixtures}/adn/2026-02.yaml`,
      `${fixtures}/adn/2026-03.yaml`,
      `${fixtures}/adn/2026-10.yaml`,
    ]);
    expect(report.problems).toHaveLength(10);
    expect(report.problems[0]).toEqual({
      file: `${fixtures}/adn/2026-01.yaml`,
      line: 11,
      location: 'sections[0].items[0].deadline',
      message: "missing required field 'deadline'",
    });
  });

  it('reports a path that does not exist and exits 1', async () => {
    const result = await depeche(['check', 'no/such/file.yaml']);
    expect(result.stdout).toContain('no/such/file.yaml: no such file or directory');
    expect(result.code).toBe(1);
  });

  it('reports the problems of an invalid newsletter.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depeche-check-'));
    try {
      await mkdir(join(dir, 'adn'));
      await writeFile(
        join(dir, 'adn', 'newsletter.yaml'),
        'id: adn\ntitle: "AdN"\nsender: { name: "AdN", email: nope }\nsections: []\n',
      );
      const result = await depeche(['check', '--json'], { ISSUES_DIR: dir });
      const report = JSON.parse(result.stdout) as { problems: CheckProblem[] };
      expect(report.problems.map((p) => [p.line, p.location, p.message])).toEqual([
        [3, 'sender.email', 'must be an email address'],
        [4, 'sections', 'a newsletter needs at least one section'],
      ]);
      expect(result.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('depeche check --links', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const userAgents: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      userAgents.push(request.headers['user-agent'] ?? '');
      switch (request.url) {
        case '/ok':
          // Like many sites, refuse HEAD: the checker must fall back to GET.
          response.writeHead(request.method === 'HEAD' ? 405 : 200).end('ok');
          return;
        case '/moved':
          response.writeHead(301, { location: '/ok' }).end();
          return;
        case '/missing':
          response.writeHead(404).end('not found');
          return;
        case '/hang':
          return; // never answers
        default:
          response.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'depeche-links-'));
    await mkdir(join(dir, 'adn'));
    await copyFile(join(fixtures, 'adn', 'newsletter.yaml'), join(dir, 'adn', 'newsletter.yaml'));
    await writeFile(
      join(dir, 'adn', '2026-11.yaml'),
      `newsletter: adn
number: 1
date: 2026-11-05
subject: "Liens"
preheader: "Liens"
introduction: "Voir [la page déplacée](${base}/moved)."
sections:
  - id: agences
    items:
      - { kind: news, title: "Bon", summary: "S", url: "${base}/ok" }
      - { kind: news, title: "Absent", summary: "S", url: "${base}/missing" }
      - { kind: news, title: "Muet", summary: "S", url: "${base}/hang" }
`,
    );
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('requests every link and reports the ones that fail or time out', async () => {
    const result = await depeche(['check', '--links', '--timeout', '1000', '--json'], {
      ISSUES_DIR: dir,
    });
    const report = JSON.parse(result.stdout) as { problems: CheckProblem[] };
    const file = join(dir, 'adn', '2026-11.yaml');
    expect(report.problems).toEqual([
      {
        file,
        line: 11,
        location: 'sections[0].items[1].url',
        message: `link ${base}/missing failed: HTTP 404`,
      },
      {
        file,
        line: 12,
        location: 'sections[0].items[2].url',
        message: `link ${base}/hang failed: no answer within 1 s`,
      },
    ]);
    expect(result.code).toBe(1);
    expect(userAgents.length).toBeGreaterThan(0);
    expect(userAgents.every((agent) => agent.startsWith('Depeche-LinkCheck/'))).toBe(true);
  });

  it('does not request links without --links', async () => {
    const before = userAgents.length;
    const result = await depeche(['check'], { ISSUES_DIR: dir });
    expect(result.code).toBe(0);
    expect(userAgents.length).toBe(before);
  });
});
