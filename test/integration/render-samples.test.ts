import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { type Issue, ITEM_KINDS, loadIssue, type Newsletter } from '../../src/content/index.ts';
import { hasTranslation, type Locale } from '../../src/lib/index.ts';
import {
  compilePersonalization,
  createRenderer,
  decodeEntities,
  personalize,
  PLACEHOLDERS,
} from '../../src/render/index.ts';

const issuesDir = fileURLToPath(new URL('../../issues', import.meta.url));
const templatesDir = fileURLToPath(new URL('../../templates', import.meta.url));
const renderer = createRenderer({ templatesDir });
const samples = ['adn/2026-11', 'fil-de-marianne/2026-11'];
const cases = samples.flatMap((ref) =>
  (['fr', 'en'] as const).map((locale) => [ref, locale] as const),
);

async function render(ref: string, locale: Locale) {
  const { issue, newsletter } = await loadIssue(issuesDir, ref);
  return { issue, newsletter, rendered: await renderer.renderIssue(issue, newsletter, locale) };
}

function localized(issue: Issue, locale: Locale) {
  return issue.sections.flatMap((section) =>
    section.items.map((item) => ({
      title: (locale === 'en' ? item.en?.title : undefined) ?? item.title,
      url: item.url,
    })),
  );
}

describe.each(cases)('sample issue %s in %s', (ref, locale) => {
  it('shows every item title and URL in both the HTML and the text', async () => {
    const { issue, rendered } = await render(ref, locale);
    const html = decodeEntities(rendered.html);
    const items = localized(issue, locale);
    expect(items.length).toBeGreaterThan(10);
    for (const { title, url } of items) {
      expect(html).toContain(title);
      expect(rendered.text).toContain(title);
      expect(html).toContain(`href="${url}"`);
      expect(rendered.text).toContain(url);
    }
  });

  it('has <title> = subject, a hidden preheader, the footer links, and stays under 100 KB', async () => {
    const { issue, rendered } = await render(ref, locale);
    const subject = (locale === 'en' ? issue.en?.subject : undefined) ?? issue.subject;
    expect(rendered.subject).toBe(subject);
    expect(decodeEntities(/<title>([^<]*)<\/title>/.exec(rendered.html)?.[1] ?? '')).toBe(subject);
    expect(decodeEntities(rendered.html)).toMatch(
      new RegExp(
        `display:none[^>]*>\\s*${rendered.preheader.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
    for (const token of Object.values(PLACEHOLDERS)) {
      expect(rendered.html).toContain(token);
      expect(rendered.text).toContain(token);
    }
    expect(Buffer.byteLength(rendered.html)).toBeLessThan(100 * 1024);
  });

  it('personalises to a copy without any placeholder left', async () => {
    const { rendered } = await render(ref, locale);
    const copy = personalize(compilePersonalization(rendered), {
      greeting: 'Hi <b>&"\'',
      unsubscribeUrl: 'https://example.org/u/1?x=1&y=2',
      preferencesUrl: 'https://example.org/p/1',
      viewOnlineUrl: 'https://example.org/v/1',
    });
    expect(copy.html).not.toContain('%%');
    expect(copy.text).not.toContain('%%');
    expect(copy.html).toContain('Hi &lt;b&gt;&amp;&quot;&#39;');
    expect(copy.html).toContain('href="https://example.org/u/1?x=1&amp;y=2"');
    expect(copy.text).toContain('https://example.org/u/1?x=1&y=2');
  });
});

describe('shipped templates', () => {
  it('compile with zero MJML errors at strict validation: every newsletter issue template', async () => {
    const folders = (await readdir(templatesDir)).filter((name) => name !== '_shared');
    expect(folders.sort()).toEqual(['adn', 'fil-de-marianne']);
    // The renderer compiles at strict validation: any MJML error throws.
    for (const ref of samples) {
      const { issue, newsletter } = await loadIssue(issuesDir, ref);
      for (const folder of folders) {
        const other: Newsletter = { ...newsletter, id: folder };
        const rendered = await renderer.renderIssue({ ...issue, newsletter: folder }, other, 'fr');
        expect(rendered.html).toContain('<!doctype html>');
      }
    }
  });

  it('compile with zero MJML errors at strict validation: every transactional template', async () => {
    const names = (await readdir(`${templatesDir}/_shared`))
      .filter((file) => file.endsWith('.mjml.hbs'))
      .map((file) => file.slice(0, -'.mjml.hbs'.length));
    const standalone: string[] = [];
    for (const name of names) {
      // A transactional message is a whole document built on the layout; the rest are partials.
      const source = await readFile(`${templatesDir}/_shared/${name}.mjml.hbs`, 'utf8');
      const code = source.replace(/\{\{!--[\s\S]*?--\}\}/g, '');
      if (/\{\{#>\s*layout\b/.test(code)) standalone.push(name);
    }
    expect(standalone).toContain('confirm');
    for (const name of standalone) {
      for (const locale of ['fr', 'en'] as const) {
        const message = await renderer.renderTransactional(name, locale, {
          newsletter: 'AdN',
          senderName: 'AdN',
          confirmUrl: 'https://example.org/confirm?t=abc',
        });
        expect(message.html).toContain('<!doctype html>');
        expect(message.text.length).toBeGreaterThan(0);
      }
    }
  });

  it('use only messages that exist in both locale files', async () => {
    const keys = new Set<string>(ITEM_KINDS.map((kind) => `item.kind.${kind}`));
    for (const folder of await readdir(templatesDir)) {
      for (const file of await readdir(`${templatesDir}/${folder}`)) {
        const source = await readFile(`${templatesDir}/${folder}/${file}`, 'utf8');
        for (const match of source.matchAll(/(?:\{\{|\()t "([\w.]+)"/g))
          keys.add(match[1] as string);
      }
    }
    expect(keys.size).toBeGreaterThan(20);
    const missing = [...keys].filter(
      (key) => !hasTranslation('fr', key) || !hasTranslation('en', key),
    );
    expect(missing).toEqual([]);
  });
});
