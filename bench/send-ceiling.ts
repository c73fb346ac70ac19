/**
 * Send benchmark, parts (a) and (b), against a local SMTP sink; no queue, no database.
 *
 * (a) `measureCeiling`: nodemailer's pooled transport sending one prebuilt raw message over and
 *     over — the physical ceiling of SMTP submission on this machine.
 * (b) `measureNaive`: nodemailer composing each personalised message from HTML and text (MIME
 *     encoding of the whole body per recipient).
 * (t) `measureTemplate`: our path without a queue — `renderMessage` on a template encoded once,
 *     then the same transport. Part (c), the full campaign path, lives in `bench/send.ts`.
 *
 * Run: `npx tsx bench/send-ceiling.ts [--count 2000] [--pool 5]`; prints one JSON object.
 * The sink runs in a child process so that CPU per message counts the sender only.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import nodemailer from 'nodemailer';

import type { Newsletter } from '../src/content/index.ts';
import { loadIssue } from '../src/content/index.ts';
import {
  buildMessageTemplate,
  type MessageRecipient,
  type MessageTemplate,
  renderMessage,
} from '../src/mail/index.ts';
import {
  compilePersonalization,
  createRenderer,
  greetingFor,
  personalize,
  type RenderedIssue,
} from '../src/render/index.ts';

/** One measured run. */
export interface SendMeasurement {
  name: string;
  count: number;
  /** Messages accepted by the sink (submitted). */
  submitted: number;
  elapsedMs: number;
  msgsPerSec: number;
  /** CPU time (user + system) of this process per message, in milliseconds. */
  cpuMsPerMessage: number;
  /** Size of one message in bytes. */
  messageBytes: number;
}

/** Common options: where the sink listens, how many messages, pool size. */
export interface MeasureOptions {
  sinkPort: number;
  count: number;
  /** Connections of the pool. @defaultValue 5 */
  poolSize?: number;
}

/** The sample issue rendered once, with its newsletter: what (b) and (t) personalise. */
export interface SampleIssue {
  rendered: RenderedIssue;
  newsletter: Newsletter;
}

/** Loads and renders the sample AdN issue (≈65 KB of HTML). */
export async function loadSampleIssue(
  issuesDir = 'issues',
  templatesDir = 'templates',
  ref = 'adn/2026-11',
): Promise<SampleIssue> {
  const { issue, newsletter } = await loadIssue(issuesDir, ref);
  const rendered = await createRenderer({ templatesDir }).renderIssue(issue, newsletter, 'fr');
  return { rendered, newsletter };
}

/** The recipient number `index` of a benchmark (distinct address, name and links). */
export function benchRecipient(
  index: number,
  template: Pick<MessageTemplate, 'domain'>,
): MessageRecipient {
  const token = `k1.${Buffer.from(`{"p":"unsubscribe","s":${index + 1},"n":"adn"}`).toString('base64url')}.${'x'.repeat(43)}`;
  return {
    email: `reader${index}@example.net`,
    name: `Lecteur n°${index}`,
    greeting: greetingFor(`Lecteur n°${index}`, 'fr'),
    unsubscribeUrl: `https://news.example.org/u/${token}`,
    preferencesUrl: `https://news.example.org/p/${token}`,
    viewOnlineUrl: 'https://news.example.org/archive/adn/2026-11',
    messageId: `c1.s${index + 1}@${template.domain}`,
  };
}

function pooledTransport(options: MeasureOptions) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: options.sinkPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: options.poolSize ?? 5,
    maxMessages: Infinity,
    logger: false,
  });
}

/** Runs `send(i)` for i in [0, count) with at most `inFlight` at once; measures wall and CPU time. */
async function measure(
  name: string,
  count: number,
  inFlight: number,
  messageBytes: number,
  send: (index: number) => Promise<unknown>,
): Promise<SendMeasurement> {
  let next = 0;
  let submitted = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      try {
        await send(index);
        submitted += 1;
      } catch {
        // counted as not submitted
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, () => lane()));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name,
    count,
    submitted,
    elapsedMs: Math.round(elapsedMs),
    msgsPerSec: Math.round((submitted / elapsedMs) * 1000),
    cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / count).toFixed(3)),
    messageBytes,
  };
}

/**
 * (a) The ceiling: one prebuilt raw message (the sample issue, personalised once) sent `count`
 * times through nodemailer's pooled transport.
 */
export async function measureCeiling(
  options: MeasureOptions & { sample?: SampleIssue },
): Promise<SendMeasurement> {
  const sample = options.sample ?? (await loadSampleIssue());
  const template = buildMessageTemplate(sample.rendered, sample.newsletter);
  const raw = renderMessage(template, benchRecipient(0, template)).raw;
  const transport = pooledTransport(options);
  try {
    return await measure('ceiling', options.count, (options.poolSize ?? 5) * 2, raw.length, () =>
      transport.sendMail({
        envelope: { from: template.envelopeFrom, to: ['reader0@example.net'] },
        raw,
      }),
    );
  } finally {
    transport.close();
  }
}

/**
 * (b) The naive path: per recipient, the placeholders are filled in the HTML and text, then
 * nodemailer composes and encodes the whole MIME message (headers, list headers, both parts).
 */
export async function measureNaive(
  options: MeasureOptions & { sample?: SampleIssue },
): Promise<SendMeasurement> {
  const sample = options.sample ?? (await loadSampleIssue());
  const { rendered, newsletter } = sample;
  const split = compilePersonalization(rendered);
  const domain = newsletter.sender.email.split('@')[1] ?? 'example.org';
  const transport = pooledTransport(options);
  try {
    return await measure('naive', options.count, (options.poolSize ?? 5) * 2, 0, (index) => {
      const recipient = benchRecipient(index, { domain });
      const body = personalize(split, recipient);
      return transport.sendMail({
        from: { name: newsletter.sender.name, address: newsletter.sender.email },
        to: { name: recipient.name ?? '', address: recipient.email },
        subject: rendered.subject,
        messageId: `<${recipient.messageId}>`,
        html: body.html,
        text: body.text,
        textEncoding: 'quoted-printable',
        list: {
          id: { url: `${newsletter.id}.${domain}`, comment: newsletter.title },
          unsubscribe: [[recipient.unsubscribeUrl]],
        },
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    });
  } finally {
    transport.close();
  }
}

/** (t) Our per-recipient path without a queue: `renderMessage` then the same pooled transport. */
export async function measureTemplate(
  options: MeasureOptions & { sample?: SampleIssue },
): Promise<SendMeasurement> {
  const sample = options.sample ?? (await loadSampleIssue());
  const template = buildMessageTemplate(sample.rendered, sample.newsletter);
  const size = renderMessage(template, benchRecipient(0, template)).raw.length;
  const transport = pooledTransport(options);
  try {
    return await measure('template', options.count, (options.poolSize ?? 5) * 2, size, (index) => {
      const recipient = benchRecipient(index, template);
      const { raw } = renderMessage(template, recipient);
      return transport.sendMail({
        envelope: { from: template.envelopeFrom, to: [recipient.email] },
        raw,
      });
    });
  } finally {
    transport.close();
  }
}

/** Per-recipient cost of `renderMessage` alone (no SMTP): wall and CPU microseconds per message. */
export function measureRenderOnly(
  sample: SampleIssue,
  count: number,
): { count: number; microsPerMessage: number; cpuMicrosPerMessage: number } {
  const template = buildMessageTemplate(sample.rendered, sample.newsletter);
  const recipients = Array.from({ length: 100 }, (_, index) => benchRecipient(index, template));
  for (let index = 0; index < 500; index++)
    renderMessage(template, recipients[index % 100] as MessageRecipient);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) {
    renderMessage(template, recipients[index % 100] as MessageRecipient);
  }
  const elapsedUs = Number(process.hrtime.bigint() - started) / 1e3;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    count,
    microsPerMessage: Number((elapsedUs / count).toFixed(1)),
    cpuMicrosPerMessage: Number(((cpu.user + cpu.system) / count).toFixed(1)),
  };
}

/** What a sink process counted, on request (`report()`). */
export interface SinkReport {
  accepted: number;
  /** Recipients stored more than once (only with `countRecipients`). */
  duplicates: string[];
  /** Distinct recipients stored (only with `countRecipients`). */
  distinctRecipients: number;
  /** Messages stored whose connection was then dropped on purpose (`faults.dropAfterStoreShare`). */
  droppedAfterStore: number;
}

/** Options of {@link startSinkProcess}. */
export interface SinkProcessOptions {
  /** Faults of `test/helpers/smtp-sink.ts`, e.g. `{ dropAfterStoreShare: 0.01 }`. */
  faults?: Record<string, number>;
  /** Remember every recipient stored, to report duplicates (a set of addresses in the child). */
  countRecipients?: boolean;
}

/** Starts the SMTP sink in a child process (so its CPU is not counted); resolves its port. */
export async function startSinkProcess(options: SinkProcessOptions = {}): Promise<{
  port: number;
  report(): Promise<SinkReport>;
  stop(): void;
}> {
  const child = fork(fileURLToPath(import.meta.url), ['--sink', JSON.stringify(options)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`sink process exited with ${code}`)));
  });
  return {
    port,
    report: () =>
      new Promise<SinkReport>((resolve) => {
        child.once('message', (message) => resolve(message as SinkReport));
        child.send('report');
      }),
    stop: () => child.kill(),
  };
}

async function runSink(options: SinkProcessOptions): Promise<void> {
  const { startSmtpSink } = await import('../test/helpers/smtp-sink.ts');
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const sink = await startSmtpSink({
    isStoring: false,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.countRecipients === true
      ? {
          onMessage: (message) => {
            const rcpt = message.envelope.rcptTo[0] ?? '';
            if (seen.has(rcpt)) duplicates.push(rcpt);
            else seen.add(rcpt);
          },
        }
      : {}),
  });
  process.send?.({ port: sink.port });
  process.on('message', () => {
    const report: SinkReport = {
      accepted: sink.acceptedCount(),
      duplicates,
      distinctRecipients: seen.size,
      droppedAfterStore: sink.droppedAfterStore.length,
    };
    process.send?.(report);
  });
  process.on('disconnect', () => void sink.close().then(() => process.exit(0)));
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const count = argument('--count', 2000);
  const poolSize = argument('--pool', 5);
  const sample = await loadSampleIssue();
  const sink = await startSinkProcess();
  try {
    const common = { sinkPort: sink.port, poolSize, sample };
    // A short warm-up so JIT and connection set-up do not weigh on the first figures.
    await measureCeiling({ ...common, count: 100 });
    const ceiling = await measureCeiling({ ...common, count });
    const naive = await measureNaive({ ...common, count });
    const template = await measureTemplate({ ...common, count });
    const renderOnly = measureRenderOnly(sample, count * 5);
    const result = {
      renderOnly,
      htmlBytes: Buffer.byteLength(sample.rendered.html),
      textBytes: Buffer.byteLength(sample.rendered.text),
      poolSize,
      ceiling,
      naive,
      template,
      ratios: {
        templateOverCeiling: Number((template.msgsPerSec / ceiling.msgsPerSec).toFixed(2)),
        templateOverNaive: Number((template.msgsPerSec / naive.msgsPerSec).toFixed(2)),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    sink.stop();
  }
}

const isEntryPoint =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntryPoint) {
  const sinkFlag = process.argv.indexOf('--sink');
  if (sinkFlag >= 0)
    await runSink(JSON.parse(process.argv[sinkFlag + 1] ?? '{}') as SinkProcessOptions);
  else await main();
}
