import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';

import {
  buildMessageTemplate,
  campaignMessageId,
  type MessageRecipient,
  renderMessage,
} from './message-template.ts';

const newsletter = {
  id: 'adn',
  title: 'AdN',
  sender: { name: 'AdN — Bureau de Washington', email: 'adn@example.org' },
  reply_to: { name: 'Rédaction AdN', email: 'redaction@example.org' },
};

const longLine = `<table role="presentation" style="width:100%">${'<td style="padding:0 10px;font-family:Helvetica,Arial,sans-serif">Cellule à décrire</td>'.repeat(40)}</table>`;
const html = [
  '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>AdN n°12</title></head><body>',
  '<p>%%greeting%%</p>',
  `<p><a href="%%view_online_url%%">Voir en ligne</a></p>`,
  longLine,
  '<p>Les agences fédérales américaines — NSF, NIH — annoncent des « appels » 🚀 = 100 %.</p>',
  '<p><a href="%%preferences_url%%">Préférences</a> · <a href="%%unsubscribe_url%%">Se désabonner</a></p>',
  '%%unsubscribe_url%%%%greeting%%',
  '</body></html>',
].join('\n');
const text = [
  '%%greeting%%',
  '',
  'Voir en ligne : %%view_online_url%%',
  'Les agences fédérales — NSF, NIH — annoncent des « appels ». '.repeat(5),
  'Se désabonner : %%unsubscribe_url%%',
  'Préférences : %%preferences_url%%   ',
].join('\n');
const rendered = { subject: 'AdN n°12 — novembre 2026 : les agences', html, text, locale: 'fr' };

const recipient: MessageRecipient = {
  email: 'elodie@example.net',
  name: 'Élodie Müller',
  greeting: 'Bonjour Élodie & <co>,',
  unsubscribeUrl: `https://news.example.org/u/${'Ab-_9'.repeat(30)}?a=1&b=2`,
  preferencesUrl: 'https://news.example.org/p/tok=en',
  viewOnlineUrl: 'https://news.example.org/v/adn/2026-11',
  messageId: 'c7.s42@example.org',
};

const fill = (body: string, r: MessageRecipient, escape: (v: string) => string) =>
  body
    .replaceAll('%%greeting%%', escape(r.greeting))
    .replaceAll('%%unsubscribe_url%%', escape(r.unsubscribeUrl))
    .replaceAll('%%preferences_url%%', escape(r.preferencesUrl))
    .replaceAll('%%view_online_url%%', escape(r.viewOnlineUrl));
const escapeHtml = (v: string) =>
  v.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
  );
// mailparser hands decoded bodies back with LF line endings.
const lf = (v: string) => v.replace(/\r\n/g, '\n');

describe('buildMessageTemplate and renderMessage', () => {
  const template = buildMessageTemplate(rendered, newsletter, {
    unsubscribeMailto: 'unsubscribe@example.org',
  });
  const { raw, messageId } = renderMessage(template, recipient, new Date('2026-11-05T08:00:00Z'));

  it('decodes to exactly the personalised HTML and text', async () => {
    const parsed = await simpleParser(raw);
    expect(parsed.html).toBe(lf(fill(html, recipient, escapeHtml)));
    expect(parsed.text).toBe(lf(fill(text, recipient, (v) => v)));
    expect(messageId).toBe('c7.s42@example.org');
  });

  it('writes CRLF only, no body line over 76 and no line over 998', () => {
    const source = raw.toString('latin1');
    expect(source).not.toMatch(/[^\r]\n|\r[^\n]/);
    const lines = source.split('\r\n');
    const bodyStart = lines.indexOf('');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
    expect(Math.max(...lines.slice(bodyStart).map((line) => line.length))).toBeLessThanOrEqual(76);
    expect(source).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });

  it('writes the headers of the newsletter and the recipient', async () => {
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([
      { name: newsletter.sender.name, address: 'adn@example.org' },
    ]);
    expect(parsed.replyTo?.value).toEqual([
      { name: 'Rédaction AdN', address: 'redaction@example.org' },
    ]);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ name: 'Élodie Müller', address: 'elodie@example.net' }]);
    expect(raw.toString()).toContain(
      'To: =?UTF-8?Q?=C3=89lodie_M=C3=BCller?= <elodie@example.net>',
    );
    expect(parsed.subject).toBe(rendered.subject);
    expect(parsed.messageId).toBe('<c7.s42@example.org>');
    expect(parsed.date?.toISOString()).toBe('2026-11-05T08:00:00.000Z');
    expect(parsed.headers.get('list')).toEqual({
      id: { name: 'AdN', id: 'adn.example.org' },
      unsubscribe: {
        url: recipient.unsubscribeUrl,
        mail: 'unsubscribe@example.org?subject=unsubscribe',
      },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    expect(parsed.headers.get('content-language')).toBe('fr');
    expect(raw.toString().match(/^List-Unsubscribe:/gim)).toHaveLength(1);
    expect(raw.toString()).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    const unfolded = raw.toString().replace(/\r\n[ \t]+/g, ' ');
    expect(unfolded).toContain(
      `List-Unsubscribe: <${recipient.unsubscribeUrl}>, <mailto:unsubscribe@example.org?subject=unsubscribe>\r\n`,
    );
  });

  it('is multipart/alternative with text/plain first, then text/html', () => {
    const source = raw.toString();
    expect(source).toMatch(/Content-Type: multipart\/alternative;\r\n boundary="/);
    expect(source.indexOf('Content-Type: text/plain; charset=utf-8')).toBeLessThan(
      source.indexOf('Content-Type: text/html; charset=utf-8'),
    );
    expect(source.match(/Content-Transfer-Encoding: quoted-printable/g)).toHaveLength(2);
  });

  it('leaves the mailto out when no mailbox is configured', () => {
    const bare = buildMessageTemplate(rendered, newsletter);
    const source = renderMessage(bare, recipient).raw.toString();
    expect(source).toContain(`List-Unsubscribe: <${recipient.unsubscribeUrl}>\r\n`);
    expect(source).not.toContain('mailto:');
  });

  it('prefixes the subject when asked', async () => {
    const test = buildMessageTemplate(rendered, newsletter, { subjectPrefix: '[TEST] ' });
    const parsed = await simpleParser(renderMessage(test, recipient).raw);
    expect(parsed.subject).toBe(`[TEST] ${rendered.subject}`);
  });

  it('builds stable Message-IDs per campaign and subscriber', () => {
    expect(campaignMessageId(template, 7, 42)).toBe('c7.s42@example.org');
    expect(campaignMessageId(template, '0c4f9e2a7b1d3e5f6a8b', 42)).toBe(
      '0c4f9e2a7b1d3e5f6a8b.s42@example.org',
    );
  });

  it('gives the same decoded content as nodemailer composing the message', async () => {
    const personalisedHtml = fill(html, recipient, escapeHtml);
    const personalisedText = fill(text, recipient, (v) => v);
    const naive = await new MailComposer({
      from: newsletter.sender,
      to: { name: recipient.name ?? '', address: recipient.email },
      subject: rendered.subject,
      html: personalisedHtml,
      text: personalisedText,
      textEncoding: 'quoted-printable',
    })
      .compile()
      .build();
    const [ours, theirs] = await Promise.all([simpleParser(raw), simpleParser(naive)]);
    expect(ours.html).toBe(theirs.html);
    expect(ours.text).toBe(theirs.text);
    expect(ours.subject).toBe(theirs.subject);
    expect(ours.to).toEqual(theirs.to);
  });
});

describe('quoted-printable at placeholder boundaries', () => {
  // Deterministic pseudo-random bodies: placeholders at line starts, ends, next to each other,
  // next to spaces, multi-byte characters and '=' signs.
  let seed = 17;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const atoms = [
    'a',
    ' ',
    '=',
    'é',
    '€',
    '🚀',
    '\n',
    '\t',
    '.',
    'x'.repeat(80),
    '%%greeting%%',
    '%%unsubscribe_url%%',
  ];
  const randomBody = () =>
    Array.from({ length: 200 }, () => atoms[Math.floor(random() * atoms.length)]).join('');

  it.each(Array.from({ length: 20 }, (_, index) => index))(
    'round-trips random body #%i',
    async () => {
      const body = randomBody();
      const template = buildMessageTemplate({ subject: 's', html: body, text: body }, newsletter);
      const values = {
        ...recipient,
        greeting: ' é = ',
        unsubscribeUrl: `https://x.example/${'é'.repeat(90)}`,
      };
      const { raw } = renderMessage(template, values);
      const parsed = await simpleParser(raw);
      expect(parsed.text).toBe(lf(fill(body, values, (v) => v)));
      expect(parsed.html).toBe(lf(fill(body, values, escapeHtml)));
      const lines = raw.toString('latin1').split('\r\n');
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
    },
  );
});

describe('header safety', () => {
  it('never lets a name or address add a header line', async () => {
    const template = buildMessageTemplate(rendered, newsletter);
    const { raw } = renderMessage(template, {
      ...recipient,
      name: 'Eve\r\nBcc: victim@example.com',
      email: 'eve@example.net\r\nX-Injected: 1',
    });
    const source = raw.toString();
    expect(source).not.toMatch(/^Bcc:/m);
    expect(source).not.toMatch(/^X-Injected:/m);
    const parsed = await simpleParser(raw);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value[0]?.name).toBe('Eve Bcc: victim@example.com');
  });
});

describe('internationalised addresses', () => {
  it('writes an internationalised domain in punycode', async () => {
    const template = buildMessageTemplate(rendered, newsletter);
    const { raw } = renderMessage(template, {
      ...recipient,
      email: 'chercheur@université.example',
    });
    expect(raw.toString()).toContain('<chercheur@xn--universit-j4a.example>');
    expect(raw.toString('latin1')).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });
});
