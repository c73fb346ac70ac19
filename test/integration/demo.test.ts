import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { simpleParser } from 'mailparser';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoSummary } from '../../src/demo/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Copies the tracked files of the checkout (what a fresh clone has) and links node_modules. */
async function copyRepository(target: string): Promise<void> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(path.join(root, file))) continue;
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await cp(path.join(root, file), path.join(target, file));
  }
  await symlink(path.join(root, 'node_modules'), path.join(target, 'node_modules'), 'dir');
}

/** Runs `node bin/depeche.js demo --json` in `cwd`; resolves with exit code and output. */
function runDemo(cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
    delete env.DATABASE_URL;
    delete env.LOG_LEVEL;
    const child = spawn(process.execPath, ['bin/depeche.js', 'demo', '--json'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The text of an HTML page with the entities Handlebars and MJML write decoded. */
function decodeHtml(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&nbsp;', '\u00a0')
    .replaceAll('&amp;', '&');
}

describe('depeche demo', () => {
  let workDir: string;
  let first: Awaited<ReturnType<typeof runDemo>>;
  let second: Awaited<ReturnType<typeof runDemo>>;
  let summary: DemoSummary;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'depeche-demo-test-'));
    await copyRepository(workDir);
    // Running it twice works: the second run starts clean and its output is what is checked.
    first = await runDemo(workDir);
    second = await runDemo(workDir);
    if (second.code !== 0) throw new Error(`depeche demo failed:\n${second.stderr}`);
    summary = JSON.parse(second.stdout) as DemoSummary;
  }, 900_000);

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('runs to the end twice in a row, showing progress on stderr', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('[1/7]');
    expect(second.stderr).toContain('[7/7]');
    expect(summary.missing).toEqual([]);
  });

  it('drafts the issues from the sample feeds', () => {
    expect(summary.feeds.polled).toBeGreaterThan(0);
    expect(summary.feeds.failed).toBe(0);
    expect(summary.feeds.candidates).toBeGreaterThan(0);
  });

  it('renders both issues to HTML files that contain their item titles', async () => {
    expect(summary.issues.map((issue) => issue.newsletterId).sort()).toEqual([
      'adn',
      'fil-de-marianne',
    ]);
    for (const issue of summary.issues) {
      expect(issue.titles.length).toBeGreaterThan(0);
      expect(issue.html.startsWith(path.join(workDir, 'out', 'demo'))).toBe(true);
      const html = decodeHtml(await readFile(issue.html, 'utf8'));
      const text = await readFile(issue.text, 'utf8');
      for (const title of issue.titles) {
        expect(html).toContain(title);
        expect(text).toContain(title);
      }
    }
  });

  it('delivers each newsletter exactly once to every sample subscriber of it', async () => {
    const text = await readFile(path.join(workDir, 'demo', 'subscribers.csv'), 'utf8');
    const rows = Papa.parse<{ email: string; newsletters: string }>(text.replace(/^\uFEFF/, ''), {
      header: true,
      skipEmptyLines: true,
      transform: (value) => value.trim(),
    }).data;
    const expected = rows
      .flatMap((row) =>
        row.newsletters.split(/\s+/).map((id) => `${id} ${row.email.toLowerCase()}`),
      )
      .sort();

    const mailDir = path.join(workDir, 'out', 'demo', 'mail');
    const files = (await readdir(mailDir)).filter((name) => name.endsWith('.eml'));
    const received: string[] = [];
    for (const file of files) {
      const mail = await simpleParser(await readFile(path.join(mailDir, file)));
      const to = Array.isArray(mail.to) ? mail.to : [mail.to];
      const addresses = to.flatMap((entry) => entry?.value ?? []).map((a) => a.address ?? '');
      expect(addresses).toHaveLength(1);
      const listId = mail.headerLines.find((header) => header.key === 'list-id')?.line ?? '';
      const newsletter = ['fil-de-marianne', 'adn'].find((id) => listId.includes(id));
      expect(newsletter, `List-Id of ${file}: ${listId}`).toBeDefined();
      received.push(`${newsletter} ${addresses[0]?.toLowerCase()}`);
    }
    expect(received.sort()).toEqual(expected);
    expect(summary.mail.count).toBe(expected.length);
    for (const sample of summary.mail.samples) expect(existsSync(sample)).toBe(true);
  });

  it('serves the archive page of each newsletter, listing the sent issue', async () => {
    expect(summary.archive.map((page) => page.newsletterId).sort()).toEqual([
      'adn',
      'fil-de-marianne',
    ]);
    for (const page of summary.archive) {
      expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/archive\//);
      const html = await readFile(page.file, 'utf8');
      expect(html).toContain('<html');
      const month = summary.issues.find((i) => i.newsletterId === page.newsletterId)?.issueRef;
      expect(html).toContain(month?.split('/')[1] ?? 'missing');
    }
  });

  it('leaves the repository files unchanged and no embedded database behind', async () => {
    const yaml = await readFile(path.join(workDir, 'issues', 'adn', 'newsletter.yaml'), 'utf8');
    expect(yaml).not.toContain('127.0.0.1');
    expect(existsSync(path.join(workDir, 'data'))).toBe(false);
  });
});
