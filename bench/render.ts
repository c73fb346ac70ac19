/**
 * Render benchmark: MJML compile time per sample issue versus per-recipient personalisation.
 * Run with `npx tsx bench/render.ts`; prints JSON. Targets: ≤ 20 µs per recipient and a compile
 * at least 1,000 times dearer than one personalisation. `personalizeUsPerRecipient` is the
 * placeholder join alone; `personalizeAndEncodeUsPerRecipient` adds encoding the copy to UTF-8
 * bytes, which a sender does anyway. BENCH_RECIPIENTS and BENCH_COMPILE_RUNS change the sizes.
 */
import { fileURLToPath } from 'node:url';

import { loadIssue } from '../src/content/index.ts';
import { compilePersonalization, createRenderer, personalize } from '../src/render/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const issuesDir = `${root}issues`;
const templatesDir = `${root}templates`;
const compileRuns = Number(process.env.BENCH_COMPILE_RUNS ?? 10);
const recipients = Number(process.env.BENCH_RECIPIENTS ?? 200_000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

const results = [];
for (const ref of ['adn/2026-11', 'fil-de-marianne/2026-11']) {
  const { issue, newsletter } = await loadIssue(issuesDir, ref);
  const renderer = createRenderer({ templatesDir });
  // First run loads and compiles the Handlebars templates; the rest measure a steady render.
  await renderer.renderIssue(issue, newsletter, 'fr');
  const compileMs: number[] = [];
  let rendered = await renderer.renderIssue(issue, newsletter, 'fr');
  for (let run = 0; run < compileRuns; run += 1) {
    const start = performance.now();
    rendered = await renderer.renderIssue(issue, newsletter, 'fr');
    compileMs.push(performance.now() - start);
  }

  const template = compilePersonalization(rendered);
  let bytes = 0;
  // Warm up the JIT before timing.
  for (let i = 0; i < 5_000; i += 1) bytes += personalize(template, valuesFor(i)).html.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < recipients; i += 1) {
    const copy = personalize(template, valuesFor(i));
    // Touch the result so the join cannot be skipped.
    bytes += copy.html.length + copy.text.length;
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1_000;
  const perRecipientUs = totalUs / recipients;

  // What a sender pays in the end: the copy encoded to bytes (flattens the joined strings).
  const encodeRecipients = Math.max(1, Math.floor(recipients / 10));
  const encodeStart = process.hrtime.bigint();
  for (let i = 0; i < encodeRecipients; i += 1) {
    const copy = personalize(template, valuesFor(i));
    bytes += Buffer.from(copy.html).length + Buffer.from(copy.text).length;
  }
  const encodeUs = Number(process.hrtime.bigint() - encodeStart) / 1_000 / encodeRecipients;
  const compile = median(compileMs);
  results.push({
    issue: ref,
    htmlBytes: Buffer.byteLength(rendered.html),
    textBytes: Buffer.byteLength(rendered.text),
    compileMsMedian: round(compile),
    compileMsMin: round(Math.min(...compileMs)),
    personalizeUsPerRecipient: round(perRecipientUs, 3),
    recipientsPerSecond: Math.round(1_000_000 / perRecipientUs),
    personalizeAndEncodeUsPerRecipient: round(encodeUs, 3),
    compileToPersonalizeRatio: Math.round((compile * 1_000) / perRecipientUs),
    meetsTargets: perRecipientUs <= 20 && (compile * 1_000) / perRecipientUs >= 1_000,
    checksum: bytes,
  });
}

function valuesFor(i: number) {
  return {
    greeting: `Bonjour Marie-${i} <&>,`,
    unsubscribeUrl: `https://news.example.org/u/${i}?t=abcdefghijklmnopqrstuvwxyz0123456789&n=adn`,
    preferencesUrl: `https://news.example.org/p/${i}?t=abcdefghijklmnopqrstuvwxyz0123456789`,
    viewOnlineUrl: `https://news.example.org/v/adn/2026-11?t=${i}`,
  };
}

console.log(JSON.stringify({ node: process.version, compileRuns, recipients, results }, null, 2));
