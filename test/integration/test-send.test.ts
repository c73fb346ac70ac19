import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadIssue } from '../../src/content/index.ts';
import { createSilentLogger } from '../../src/lib/index.ts';
import {
  createRecipientLinks,
  createSmtpTransport,
  createTestSender,
  testSendSubscriberId,
} from '../../src/mail/index.ts';
import { createRenderer, greetingFor } from '../../src/render/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { runDepeche } from '../helpers/run-depeche.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const secret = 'test-send-secret-key-0123456789abcdef';

/** Runs `depeche test-send …` in a child process against the sink; no database is configured. */
function runTestSend(sink: SmtpSink, dataDir: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/depeche.js', 'test-send', ...args],
      {
        env: {
          ...process.env,
          SMTP_URL: sink.url,
          SECRET_KEY: secret,
          SECRET_KEY_ID: 'k1',
          PUBLIC_URL: 'https://news.example.org',
          UNSUBSCRIBE_MAILTO: 'unsubscribe@example.org',
          DATA_DIR: dataDir,
          DATABASE_URL: '',
          LOG_LEVEL: 'silent',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Each case starts a CLI process (tsx, MJML): slow on a loaded machine, so generous timeouts.
describe('depeche test-send', { timeout: 180_000 }, () => {
  let sink: SmtpSink;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'depeche-test-send-')), 'data');

  beforeAll(async () => {
    sink = await startSmtpSink({
      rejectRecipients: (rcpt) =>
        rcpt.startsWith('nobody@') ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
  });
  beforeEach(() => sink.reset());
  afterAll(() => sink.close());

  it('sends one marked copy to each editor with real signed links, recorded in the audit log', async () => {
    const result = await runTestSend(sink, dataDir, [
      'adn/2026-11',
      '--to',
      'editor@example.org',
      'second@example.org',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { subject: string; outcomes: unknown[] };
    expect(output.subject).toMatch(/^\[TEST\] /);
    expect(output.outcomes).toHaveLength(2);

    expect(sink.messages.map((message) => message.envelope)).toEqual([
      { mailFrom: 'adn@example.org', rcptTo: ['editor@example.org'] },
      { mailFrom: 'adn@example.org', rcptTo: ['second@example.org'] },
    ]);
    const parsed = await simpleParser(sink.messages[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe(output.subject);
    const list = parsed.headers.get('list') as { unsubscribe: { url: string; mail: string } };
    expect(list.unsubscribe.mail).toBe('unsubscribe@example.org?subject=unsubscribe');
    const token = /^https:\/\/news\.example\.org\/u\/(.+)$/.exec(list.unsubscribe.url)?.[1] ?? '';
    const signer = createTokenSigner({ keyId: 'k1', secret });
    expect(signer.verify(token, 'unsubscribe', new Date())).toEqual({
      purpose: 'unsubscribe',
      subscriberId: testSendSubscriberId,
      newsletterId: 'adn',
    });
    expect(parsed.html).toContain(`href="https://news.example.org/u/${token}"`);
    expect(parsed.html).not.toContain('%%');
    expect(parsed.text).not.toContain('%%');
    // No campaign: the send is only recorded in the audit log, with the command line as actor.
    const audit = await runDepeche(['audit', 'list', '--action', 'issue.test-send', '--json'], {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
    });
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{
      objectId: string;
      actor: { kind: string };
      details: { to: string[] };
    }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      objectId: 'adn/2026-11',
      actor: { kind: 'command-line' },
      details: { to: ['editor@example.org', 'second@example.org'] },
    });
    const campaigns = await runDepeche(['campaign', 'list', '--json'], {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
    });
    expect(JSON.parse(campaigns.stdout)).toEqual([]);
  });

  it('sends the English copy with --lang en', async () => {
    const transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
    });
    const sender = createTestSender({
      loadIssue: (ref) => loadIssue('issues', ref),
      renderer: createRenderer({ templatesDir: 'templates' }),
      links: createRecipientLinks({
        publicUrl: 'https://news.example.org',
        signer: createTokenSigner({ keyId: 'k1', secret }),
      }),
      greetingFor,
      transport,
      logger: createSilentLogger(),
      now: () => new Date('2026-11-05T08:00:00Z'),
    });
    const result = await sender.send({
      issueRef: 'adn/2026-11',
      to: ['editor@example.org'],
      locale: 'en',
    });
    await transport.close?.();
    expect(result).toMatchObject({ issueKey: 'adn/2026-11', locale: 'en' });
    expect(result.outcomes).toEqual([
      expect.objectContaining({ to: 'editor@example.org', isSubmitted: true }),
    ]);
    const parsed = await simpleParser(sink.messages[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.headers.get('content-language')).toBe('en');
    expect(parsed.subject).toBe(result.subject);
    expect(parsed.subject).toMatch(/^\[TEST\] /);
    expect(parsed.date?.toISOString()).toBe('2026-11-05T08:00:00.000Z');
    expect(parsed.headers.get('list')).not.toHaveProperty('unsubscribe.mail');
  });

  it('reports a refused copy and exits 1, still sending the others', async () => {
    const result = await runTestSend(sink, dataDir, [
      'adn/2026-11',
      '--to',
      'nobody@example.org',
      'editor@example.org',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/refused for nobody@example\.org \(hard_bounce\): 550 5\.1\.1/);
    expect(sink.messages).toHaveLength(1);
  });

  it('refuses an invalid address before sending anything', async () => {
    const result = await runTestSend(sink, dataDir, ['adn/2026-11', '--to', 'not-an-address']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^depeche: --to/);
    expect(sink.messages).toHaveLength(0);
  });
});
