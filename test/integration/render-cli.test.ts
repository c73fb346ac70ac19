import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSilentLogger } from '../../src/lib/index.ts';
import { type PreviewServer, startPreviewServer } from '../../src/render/index.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depeche-render-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function depeche(...args: string[]) {
  return run('node', ['bin/depeche.js', ...args], {
    cwd: root,
    env: {
      ...process.env,
      ISSUES_DIR: join(root, 'issues'),
      TEMPLATES_DIR: join(root, 'templates'),
      PUBLIC_URL: 'https://news.example.org',
    },
  });
}

// Each run starts the real CLI through tsx, which is slow on a busy machine.
describe('depeche render', { timeout: 180_000 }, () => {
  it('writes <newsletter>-<YYYY-MM>.html and .txt with preview values in the placeholders', async () => {
    const out = join(dir, 'out');
    const { stdout } = await depeche('render', 'adn/2026-11', '--out', out);
    expect(stdout).toContain('adn-2026-11.html');
    const html = await readFile(join(out, 'adn-2026-11.html'), 'utf8');
    const text = await readFile(join(out, 'adn-2026-11.txt'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain('href="https://news.example.org/#unsubscribe"');
    expect(text).toContain('Bonjour,');
    expect(html + text).not.toContain('%%');
  });

  it('writes the English copy with an -en suffix, and keeps placeholders on request', async () => {
    const out = join(dir, 'out-en');
    const { stdout } = await depeche(
      'render',
      'issues/fil-de-marianne/2026-11.yaml',
      '--out',
      out,
      '--lang',
      'en',
      '--placeholders',
      '--json',
    );
    const result = JSON.parse(stdout) as { html: string; text: string; locale: string };
    expect(result.locale).toBe('en');
    expect(result.html).toBe(join(out, 'fil-de-marianne-2026-11-en.html'));
    const html = await readFile(result.html, 'utf8');
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('%%unsubscribe_url%%');
    expect(await readFile(result.text, 'utf8')).toContain('%%greeting%%');
  });

  it('refuses an unknown language with a readable message', async () => {
    const failure = depeche('render', 'adn/2026-11', '--out', join(dir, 'x'), '--lang', 'de');
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--lang must be 'fr' or 'en', got 'de'"),
    });
  });
});

describe('preview server', () => {
  let server: PreviewServer;
  let issuesDir: string;
  let templatesDir: string;

  beforeAll(async () => {
    issuesDir = join(dir, 'issues');
    templatesDir = join(dir, 'templates');
    await cp(join(root, 'issues'), issuesDir, { recursive: true });
    await cp(join(root, 'templates'), templatesDir, { recursive: true });
    server = await startPreviewServer({
      issuesDir,
      templatesDir,
      issueRef: 'adn/2026-11',
      baseUrl: 'https://news.example.org',
      port: 0,
      logger: createSilentLogger(),
    });
  });
  afterAll(() => server?.close());

  async function get(path: string) {
    const response = await fetch(new URL(path, server.url));
    return { status: response.status, body: await response.text() };
  }

  async function waitForVersion(after: number): Promise<number> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const { version } = JSON.parse((await get('/version')).body) as { version: number };
      if (version > after) return version;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the preview was not rendered again');
  }

  it('serves the page with the email at 600 and 375 px and the text part', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('width="600"');
    expect(page.body).toContain('width="375"');
    expect(page.body).toContain('new EventSource');
    expect(page.body).toContain('Lire la suite');
    const email = await get('/email.html?lang=en');
    expect(email.body).toContain('<html lang="en"');
    expect((await get('/email.txt')).body).toContain('Bonjour,');
  });

  it('renders again when the issue file or a template changes', async () => {
    const { version: before } = JSON.parse((await get('/version')).body) as { version: number };
    const file = join(issuesDir, 'adn', '2026-11.yaml');
    const source = await readFile(file, 'utf8');
    await writeFile(file, source.replace(/^subject: .*$/m, 'subject: "Sujet modifié en direct"'));
    const next = await waitForVersion(before);
    expect((await get('/email.html')).body).toContain('<title>Sujet modifié en direct</title>');

    const footer = join(templatesDir, '_shared', 'issue-footer.txt.hbs');
    await writeFile(footer, `${await readFile(footer, 'utf8')}\nFOOTER-EDITED\n`);
    await waitForVersion(next);
    expect((await get('/email.txt')).body).toContain('FOOTER-EDITED');
  });

  it('shows a render error in the page instead of stopping', async () => {
    const { version: before } = JSON.parse((await get('/version')).body) as { version: number };
    await writeFile(join(issuesDir, 'adn', '2026-11.yaml'), 'subject: [unclosed\n');
    await waitForVersion(before);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Render failed');
    expect((await get('/email.html')).status).toBe(500);
  });
});
