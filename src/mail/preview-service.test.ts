import { fileURLToPath } from 'node:url';

import { simpleParser } from 'mailparser';
import { describe, expect, it, vi } from 'vitest';

import { testIssue, testNewsletter } from '../../test/fixtures/render/sample-issues.ts';
import { GMAIL_CLIP_BYTES } from '../compose/index.ts';
import type { Issue } from '../content/index.ts';
import { createSilentLogger } from '../lib/index.ts';
import { createRenderer, greetingFor } from '../render/index.ts';
import { createTokenSigner } from '../subscribers/index.ts';
import type { OutgoingMessage } from './mail-transport.ts';
import { previewProblems } from './preview-problems.ts';
import { createPreviewService, issueContentHash } from './preview-service.ts';
import { createRecipientLinks } from './recipient-links.ts';
import { createTestSender, testSendSubscriberId } from './test-send.ts';

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
const signer = createTokenSigner({ keyId: 'k1', secret: 'preview-test-secret-0123456789abcdef' });
const links = createRecipientLinks({ publicUrl: 'https://news.example.org', signer });

function build() {
  const renderer = createRenderer({ templatesDir });
  const renderIssue = vi.fn(renderer.renderIssue);
  const preview = createPreviewService({ renderer: { renderIssue }, links, greetingFor });
  const sent: OutgoingMessage[] = [];
  const sender = createTestSender({
    loadIssue: () => Promise.reject(new Error('not used')),
    renderer,
    links,
    greetingFor,
    transport: {
      name: 'record',
      send: async (message) => {
        sent.push(message);
        return { messageId: message.messageId ?? '', response: '250 ok', accepted: true };
      },
    },
    logger: createSilentLogger(),
    now: () => new Date('2026-11-04T10:00:00Z'),
  });
  return { preview, renderIssue, sender, sent };
}

describe('createPreviewService', () => {
  it.each(['fr', 'en'] as const)(
    'shows the HTML and text a test copy carries, in %s',
    async (locale) => {
      const { preview, sender, sent } = build();
      const shown = await preview.renderPreview(testIssue, testNewsletter, locale);
      await sender.sendIssue({
        issue: testIssue,
        newsletter: testNewsletter,
        to: ['editor@example.org'],
        locale,
      });
      const mail = await simpleParser(sent[0]?.raw ?? Buffer.alloc(0));
      const lf = (text: string) => text.replace(/\r\n/g, '\n');
      expect(lf(String(mail.html))).toBe(shown.html);
      expect(lf(mail.text ?? '')).toBe(shown.text);
      expect(mail.subject).toBe(`[TEST] ${shown.subject}`);
      // The links are the pseudo subscriber's, really signed; no placeholder is left.
      const token = /https:\/\/news\.example\.org\/u\/([^"]+)"/.exec(shown.html)?.[1] ?? '';
      expect(signer.verify(token, 'unsubscribe', new Date())).toMatchObject({
        subscriberId: testSendSubscriberId,
        newsletterId: 'fil-de-marianne',
      });
      expect(shown.html).not.toContain('%%');
      expect(shown.text).not.toContain('%%');
      expect(shown.bytes).toBe(Buffer.byteLength(shown.html));
      expect(shown.issueKey).toBe('fil-de-marianne/2026-11');
      expect(shown.contentHash).toBe(issueContentHash(testIssue));
    },
  );

  it('renders one state of the issue once, and again when the content changes', async () => {
    const { preview, renderIssue } = build();
    const first = await preview.renderPreview(testIssue, testNewsletter, 'fr');
    const again = await preview.renderPreview(structuredClone(testIssue), testNewsletter, 'fr');
    expect(again).toBe(first);
    expect(renderIssue).toHaveBeenCalledTimes(1);
    const edited: Issue = { ...testIssue, introduction: 'Un autre **début**.' };
    const changed = await preview.renderPreview(edited, testNewsletter, 'fr');
    expect(renderIssue).toHaveBeenCalledTimes(2);
    expect(changed.html).toContain('<strong>début</strong>');
    expect(changed.contentHash).not.toBe(first.contentHash);
    await preview.renderPreview(testIssue, testNewsletter, 'en');
    expect(renderIssue).toHaveBeenCalledTimes(3);
  });

  it('counts closing-soon marks and past deadlines from the day given', async () => {
    const { preview } = build();
    const onIssueDate = await preview.renderPreview(testIssue, testNewsletter, 'fr');
    expect(onIssueDate.problems.filter((p) => p.code === 'deadline_past')).toEqual([]);
    const late = await preview.renderPreview(testIssue, testNewsletter, 'fr', {
      asOf: '2026-11-21',
    });
    expect(late.problems.filter((p) => p.code === 'deadline_past')).toEqual([
      expect.objectContaining({ location: 'sections[0].items[1].deadline' }),
      expect.objectContaining({ location: 'sections[0].items[2].deadline' }),
    ]);
    expect(late.html).not.toBe(onIssueDate.html);
  });
});

describe('previewProblems', () => {
  const base = {
    issue: testIssue,
    newsletter: testNewsletter,
    htmlBytes: 1000,
    asOf: testIssue.date,
  };

  it('reports nothing for a French copy of a valid issue of normal size', () => {
    expect(previewProblems({ ...base, locale: 'fr' })).toEqual([]);
  });

  it('reports an HTML part Gmail would clip', () => {
    const problems = previewProblems({ ...base, locale: 'fr', htmlBytes: GMAIL_CLIP_BYTES + 1 });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'html_clipped',
        location: '',
        values: { kb: 103, limit: 102 },
      }),
    ]);
    expect(previewProblems({ ...base, locale: 'fr', htmlBytes: GMAIL_CLIP_BYTES })).toEqual([]);
  });

  it('names the texts the English copy shows in French', () => {
    const locations = previewProblems({ ...base, locale: 'en' })
      .filter((problem) => problem.code === 'english_missing')
      .map((problem) => problem.location);
    expect(locations).toContain('en.preheader');
    expect(locations).not.toContain('en.subject');
    expect(locations).toContain('sections[0].items[1].en.title');
    expect(locations).not.toContain('sections[0].items[0].en.title');
  });

  it('names a section the newsletter does not define', () => {
    const issue: Issue = {
      ...testIssue,
      sections: [{ ...(testIssue.sections[0] as Issue['sections'][number]), id: 'inconnue' }],
    };
    expect(previewProblems({ ...base, issue, locale: 'fr' })).toEqual([
      expect.objectContaining({ code: 'unknown_section', location: 'sections[0].id' }),
    ]);
  });
});
