/**
 * Preview benchmark: a 20-item issue of Le fil de Marianne (the sample issue's 15 items plus 5
 * copies with their own links), re-rendered after each "keystroke" (a new introduction, so no
 * cached preview is reused): Handlebars, the MJML compile, the text part, the personalisation
 * with the pseudo subscriber's signed links and the problems. First the preview service alone
 * (`renderPreview`), then the composer's request, `POST /editor/issues/…/preview` with the
 * issue as JSON (session check, CSRF, JSON parse, IssueSchema, the render, the response),
 * through Fastify's inject() on PGlite in memory: the server's own time, no socket. Per locale,
 * p50 and p95 in ms. Target: ≤ 150 ms for the whole request. Run: `npx tsx bench/preview.ts`;
 * BENCH_RUNS changes the number of timed runs (default 40).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import { type Issue, loadIssue } from '../src/content/index.ts';
import { migrate, openDatabase } from '../src/db/index.ts';
import { type Locale, locales } from '../src/lib/index.ts';
import { createPreviewService } from '../src/mail/index.ts';
import { createRecipientLinks, type MailTransport } from '../src/mail/index.ts';
import { createRenderer, greetingFor } from '../src/render/index.ts';
import { createTokenSigner } from '../src/subscribers/index.ts';
import { getPage, signedInEditor } from '../test/helpers/editor-session.ts';
import { buildTestWebApp, testSecret } from '../test/helpers/web-app.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const ITEMS = 20;
const root = fileURLToPath(new URL('..', import.meta.url));
const issuesDir = `${root}issues`;
const templatesDir = `${root}templates`;
const publicUrl = 'https://news.example.org';
const signer = createTokenSigner({ keyId: 't1', secret: testSecret });

const { issue: sample, newsletter } = await loadIssue(issuesDir, 'fil-de-marianne/2026-11');

/** The sample issue grown to {@link ITEMS} items: copies of its items with links of their own. */
function twentyItems(issue: Issue): Issue {
  const grown = structuredClone(issue);
  const all = grown.sections.flatMap((section) => section.items);
  for (let copy = 0; all.length + copy < ITEMS; copy += 1) {
    const section = grown.sections[copy % grown.sections.length];
    const item = structuredClone(section?.items[0]);
    if (section === undefined || item === undefined) break;
    section.items.push({ ...item, url: `${item.url.replace(/\/?$/, '/')}copy-${copy}` });
  }
  return grown;
}
const issue = twentyItems(sample);
const itemCount = issue.sections.reduce((count, section) => count + section.items.length, 0);

let keystroke = 0;
/** The issue after one more keystroke in the introduction. */
const typed = (): Issue => ({
  ...issue,
  introduction: `${issue.introduction}\n\nÉdition ${++keystroke}.`,
});

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

async function time(run: () => Promise<unknown>) {
  for (let i = 0; i < 5; i += 1) await run();
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuStart);
  samples.sort((a, b) => a - b);
  return {
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    maxMs: percentile(samples, 100),
    cpuMsPerRun: Math.round(((cpu.user + cpu.system) / 1000 / RUNS) * 100) / 100,
  };
}

// The preview service alone, as the workspace builds it.
const preview = createPreviewService({
  renderer: createRenderer({ templatesDir }),
  links: createRecipientLinks({ publicUrl, signer }),
  greetingFor,
});
const service: Record<string, unknown> = {};
let htmlBytes = 0;
for (const locale of locales) {
  htmlBytes = Math.max(htmlBytes, (await preview.renderPreview(issue, newsletter, locale)).bytes);
  service[locale] = await time(() => preview.renderPreview(typed(), newsletter, locale));
}
// The same content asked again (the 600 px, 375 px and text views of one state of the form).
const again = typed();
await preview.renderPreview(again, newsletter, 'fr');
service.cachedFr = await time(() => preview.renderPreview(again, newsletter, 'fr'));

// The composer's request through the workspace's route.
const handle = await openDatabase({ kind: 'pglite' });
await migrate(handle);
const refusing: MailTransport = {
  name: 'none',
  send: () => Promise.reject(new Error('the preview bench sends nothing')),
};
const web = await buildTestWebApp({
  database: handle,
  editor: {
    issuesDir,
    publicUrl,
    preview: { templatesDir, publicUrl, signer, transport: refusing },
  },
});
if (!web.editor) throw new Error('workspace not built');
const browser = await signedInEditor(web.editor, 'bench-preview@example.org', 'editor');
const url = `/editor/issues/${newsletter.id}/${issue.date.slice(0, 7)}/preview`;
const csrf = (await getPage(web.app, browser, `${url.replace(/preview$/, 'test-send')}`)).csrf;
if (csrf === undefined) throw new Error('no CSRF token');
const route: Record<string, unknown> = {};
for (const locale of locales as readonly Locale[]) {
  route[`POST ${url} (${locale})`] = await time(async () => {
    const body = new URLSearchParams({ _csrf: csrf, issue: JSON.stringify(typed()), locale });
    const response = await web.app.inject({
      method: 'POST',
      url,
      cookies: browser.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    if (response.statusCode !== 200) {
      throw new Error(`${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    }
  });
}
await web.app.close();
await handle.close();

console.log(
  JSON.stringify(
    {
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
      items: itemCount,
      htmlBytes,
      requestBytes: Buffer.byteLength(JSON.stringify(issue)),
      runs: RUNS,
      targetMs: 150,
      service,
      route,
    },
    null,
    2,
  ),
);
