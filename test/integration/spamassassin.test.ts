import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadIssue } from '../../src/content/index.ts';
import { createSilentLogger } from '../../src/lib/index.ts';
import {
  buildMessageTemplate,
  campaignMessageId,
  createRecipientLinks,
  createSmtpTransport,
  renderMessage,
} from '../../src/mail/index.ts';
import { createRenderer, greetingFor } from '../../src/render/index.ts';
import { createTokenSigner } from '../../src/subscribers/index.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

// Debian's `spamassassin`: `.ci/run` installs it; elsewhere the test says why it is skipped.
const hasSpamAssassin = spawnSync('spamassassin', ['--version']).status === 0;
if (!hasSpamAssassin) {
  console.warn('SpamAssassin test skipped: the `spamassassin` binary is not installed');
}

/** Scores a message with local rules only (`-L`, no network tests). */
function spamScore(raw: Buffer): Promise<{ score: number; report: string }> {
  const prefs = join(mkdtempSync(join(tmpdir(), 'depeche-sa-')), 'user_prefs');
  return new Promise((resolve, reject) => {
    const child = execFile(
      'spamassassin',
      ['-L', '-t', '-p', prefs],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const match = /^X-Spam-Status: \w+, score=(-?[\d.]+)/m.exec(stdout);
        if (!match?.[1]) return reject(error ?? new Error(`no X-Spam-Status in output`));
        const report = stdout.slice(stdout.indexOf('Content analysis details'));
        resolve({ score: Number(match[1]), report });
      },
    );
    child.stdin?.end(raw);
  });
}

describe.skipIf(!hasSpamAssassin)(
  'SpamAssassin score of a received issue',
  { timeout: 180_000 },
  () => {
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await startSmtpSink();
    });
    afterAll(() => sink.close());

    it.each(['adn/2026-11', 'fil-de-marianne/2026-11'])('scores %s below 1.0', async (ref) => {
      const { issue, newsletter } = await loadIssue('issues', ref);
      const rendered = await createRenderer({ templatesDir: 'templates' }).renderIssue(
        issue,
        newsletter,
        'fr',
      );
      const template = buildMessageTemplate(rendered, newsletter, {
        unsubscribeMailto: 'unsubscribe@example.org',
      });
      const links = createRecipientLinks({
        publicUrl: 'https://news.example.org',
        signer: createTokenSigner({
          keyId: 'k1',
          secret: 'spamassassin-test-key-0123456789abcdef',
        }),
      })({
        subscriberId: 4242,
        newsletterId: newsletter.id,
        issueKey: rendered.issueKey,
        locale: 'fr',
      });
      const message = renderMessage(template, {
        email: 'elodie.muller@example.net',
        name: 'Élodie Müller',
        greeting: greetingFor('Élodie', 'fr'),
        messageId: campaignMessageId(template, 1, 4242),
        ...links,
      });
      const transport = createSmtpTransport({
        urls: [sink.url],
        poolSize: 1,
        logger: createSilentLogger(),
      });
      await transport.send({
        from: template.envelopeFrom,
        to: 'elodie.muller@example.net',
        raw: message.raw,
      });
      await transport.close?.();
      const received = sink.messages.at(-1)?.raw ?? Buffer.alloc(0);

      const { score, report } = await spamScore(received);
      expect(score, report).toBeLessThan(1.0);
    });
  },
);
