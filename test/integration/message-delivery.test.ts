import { generateKeyPairSync } from 'node:crypto';

import { authenticate } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSilentLogger } from '../../src/lib/index.ts';
import {
  buildMessageTemplate,
  campaignMessageId,
  createSmtpTransport,
  type MailTransport,
  renderMessage,
} from '../../src/mail/index.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const newsletter = {
  id: 'adn',
  title: 'AdN',
  sender: { name: 'AdN', email: 'adn@example.org' },
  reply_to: { email: 'redaction@example.org' },
};
const rendered = {
  subject: 'AdN n°12 — novembre 2026',
  locale: 'fr',
  html: '<html><body><p>%%greeting%%</p><p>Les agences américaines.</p><a href="%%unsubscribe_url%%">Se désabonner</a></body></html>',
  text: '%%greeting%%\n\nLes agences américaines.\n\nSe désabonner : %%unsubscribe_url%%\n',
};

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const dkimRecord = `v=DKIM1; k=rsa; p=${publicBase64}`;

/** A DNS resolver that knows only the test selector's TXT record. */
async function resolver(name: string, type: string): Promise<string[][]> {
  if (type === 'TXT' && name === 'test2026._domainkey.example.org') {
    return [dkimRecord.match(/.{1,255}/g) ?? []];
  }
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
}

describe('a message through the SMTP transport, signed with DKIM', () => {
  let sink: SmtpSink;
  let transport: MailTransport;
  let received: Buffer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = createSmtpTransport({
      urls: [sink.url],
      poolSize: 1,
      logger: createSilentLogger(),
      dkim: { domain: 'example.org', selector: 'test2026', privateKey: privatePem },
    });
    const template = buildMessageTemplate(rendered, newsletter, {
      unsubscribeMailto: 'unsubscribe@example.org',
    });
    const message = renderMessage(template, {
      email: 'elodie@example.net',
      name: 'Élodie Müller',
      greeting: 'Bonjour Élodie,',
      unsubscribeUrl: 'https://news.example.org/u/tok3n',
      preferencesUrl: 'https://news.example.org/p/tok3n',
      viewOnlineUrl: 'https://news.example.org/v/adn/2026-11',
      messageId: campaignMessageId(template, 3, 99),
    });
    await transport.send({
      from: template.envelopeFrom,
      to: 'elodie@example.net',
      raw: message.raw,
      messageId: message.messageId,
    });
    received = sink.messages[0]?.raw ?? Buffer.alloc(0);
  });
  afterAll(async () => {
    await transport.close?.();
    await sink.close();
  });

  it('passes DKIM verification, covering List-Unsubscribe and List-Unsubscribe-Post', async () => {
    const { dkim } = await authenticate(received, {
      ip: '127.0.0.1',
      helo: 'localhost',
      sender: 'adn@example.org',
      mta: 'mx.example.net',
      resolver,
      disableArc: true,
      disableBimi: true,
    });
    const result = dkim.results[0];
    expect(result?.status.result).toBe('pass');
    // The h= tag of the signature lists the signed header fields.
    const signature = /^DKIM-Signature:(.*(?:\r\n[ \t].*)*)/im.exec(received.toString('latin1'));
    const hTag = /\bh=([^;]+)/.exec((signature?.[1] ?? '').replace(/\s+/g, ''));
    const signed = (hTag?.[1] ?? '').toLowerCase().split(':');
    expect(signed).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'subject',
        'message-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]),
    );
  });

  it('fails DKIM verification when List-Unsubscribe-Post is altered', async () => {
    const tampered = Buffer.from(
      received
        .toString('latin1')
        .replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Click'),
      'latin1',
    );
    const { dkim } = await authenticate(tampered, {
      ip: '127.0.0.1',
      sender: 'adn@example.org',
      resolver,
    });
    expect(dkim.results[0]?.status.result).toBe('fail');
  });

  it('arrives with every header the issue asks for', async () => {
    const parsed = await simpleParser(received);
    expect(parsed.from?.value).toEqual([{ name: 'AdN', address: 'adn@example.org' }]);
    expect(parsed.replyTo?.value).toEqual([{ name: '', address: 'redaction@example.org' }]);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ name: 'Élodie Müller', address: 'elodie@example.net' }]);
    expect(parsed.messageId).toBe('<c3.s99@example.org>');
    expect(parsed.subject).toBe(rendered.subject);
    expect(parsed.headers.get('list')).toMatchObject({
      id: { id: 'adn.example.org' },
      unsubscribe: {
        url: 'https://news.example.org/u/tok3n',
        mail: 'unsubscribe@example.org?subject=unsubscribe',
      },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    const source = received.toString('latin1');
    expect(source.match(/^List-Unsubscribe:/gim)).toHaveLength(1);
    expect(source.match(/^DKIM-Signature:/gim)).toHaveLength(1);
    expect(parsed.text).toContain('Bonjour Élodie,');
    expect(parsed.html).toContain('<p>Bonjour Élodie,</p>');
    expect(parsed.html).toContain('href="https://news.example.org/u/tok3n"');
  });

  it('is multipart/alternative with CRLF line endings only and no line over 998', () => {
    const source = received.toString('latin1');
    expect(source).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(source).not.toMatch(/[^\r]\n|\r[^\n]/);
    expect(Math.max(...source.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
  });
});
