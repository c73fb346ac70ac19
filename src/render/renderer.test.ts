import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testIssue, testNewsletter } from '../../test/fixtures/render/sample-issues.ts';
import { IssueSchema } from '../content/index.ts';
import { decodeEntities } from './markdown.ts';
import { TemplateInvalidError } from './mjml-compiler.ts';
import { createRenderer } from './renderer.ts';

const templatesDir = fileURLToPath(new URL('../../templates', import.meta.url));
const renderer = createRenderer({ templatesDir });

function titleOf(html: string): string | undefined {
  const match = /<title>([^<]*)<\/title>/.exec(html);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

describe('renderIssue', () => {
  it('sets the HTML <title> to the subject and hides the preheader in the body', async () => {
    const fr = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    expect(titleOf(fr.html)).toBe(testIssue.subject);
    expect(fr.subject).toBe(testIssue.subject);
    expect(fr.html).toMatch(/display:none[^>]*>\s*Postes et événements du mois/);
    expect(fr.html).toContain('<html lang="fr"');
    expect(fr).toMatchObject({
      newsletterId: 'fil-de-marianne',
      issueKey: 'fil-de-marianne/2026-11',
    });
  });

  it('gives an English reader the English texts where present and French otherwise', async () => {
    const en = await renderer.renderIssue(testIssue, testNewsletter, 'en');
    expect(en.locale).toBe('en');
    expect(en.subject).toBe('Le fil de Marianne — November 2026');
    expect(titleOf(en.html)).toBe(en.subject);
    // No English preheader: the French one is kept.
    expect(en.preheader).toBe('Postes et événements du mois');
    for (const body of [en.html, en.text]) {
      expect(body).toContain('CNRS research scientist (late)');
      expect(body).toContain('A position at CNRS.');
      expect(body).not.toContain('Chargé·e de recherche CNRS');
      expect(body).toContain('Bourse Inria (soon)');
      expect(body).toContain('Jobs');
      expect(body).toContain('Closing soon');
      expect(body).toContain('Deadline: 19 November 2026');
      expect(body).toContain('Unsubscribe');
    }
    expect(en.html).toContain('Welcome to this <strong>November</strong> issue.');
  });

  it('marks « closing soon » as of the planned send time when one is given', async () => {
    const late = await renderer.renderIssue(testIssue, testNewsletter, 'en', {
      asOf: new Date('2027-06-01T08:00:00Z'),
    });
    expect(late.text).not.toContain('Closing soon');
    expect(late.text).toContain('Bourse Inria (soon)');
  });

  it('writes dates « 19 novembre 2026 » in French and "19 November 2026" in English', async () => {
    const fr = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    expect(fr.text).toContain('Date limite\u00a0: 19 novembre 2026');
    expect(fr.text).toContain('N° 7 · 5 novembre 2026');
    expect(fr.text).toContain('Dates\u00a0: 3–4 décembre 2026');
    const en = await renderer.renderIssue(testIssue, testNewsletter, 'en');
    expect(en.text).toContain('No. 7 · 5 November 2026');
    expect(en.text).toContain('Dates: 3–4 December 2026');
  });

  it('orders opportunities by deadline and marks only those closing within 14 days', async () => {
    const fr = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    for (const body of [fr.html, fr.text]) {
      const soon = body.indexOf('Bourse Inria (soon)');
      const middle = body.indexOf('Appel ANR (middle)');
      const late = body.indexOf('Chargé·e de recherche CNRS (late)');
      expect(soon).toBeGreaterThan(-1);
      expect(soon).toBeLessThan(middle);
      expect(middle).toBeLessThan(late);
      // 2026-11-19 is 14 days after the issue date (marked); 2026-11-20 is 15 days (not).
      expect(body.match(/Clôture proche/g)).toHaveLength(1);
      const mark = body.indexOf('Clôture proche');
      expect(mark).toBeLessThan(middle);
    }
  });

  it("uses a newsletter's own partial in place of the shared one", async () => {
    const fil = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    // templates/fil-de-marianne/item.mjml.hbs puts the deadline first, in its own style.
    expect(fil.html).toContain('class="deadline"');
    const adn = await renderer.renderIssue(
      { ...testIssue, newsletter: 'adn' },
      { ...testNewsletter, id: 'adn' },
      'fr',
    );
    expect(adn.html).not.toContain('class="deadline"');
    expect(adn.html).toContain('Date limite\u00a0: 19 novembre 2026');
  });

  it('keeps the footer links and greeting as placeholders, with the sender identity', async () => {
    const fr = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    for (const body of [fr.html, fr.text]) {
      for (const token of [
        '%%greeting%%',
        '%%unsubscribe_url%%',
        '%%preferences_url%%',
        '%%view_online_url%%',
      ]) {
        expect(body).toContain(token);
      }
      expect(body).toContain('fil@example.org');
    }
    expect(fr.html).toContain('href="%%unsubscribe_url%%"');
  });

  it('renders Markdown safely: no script, event handler, javascript: or data: URL survives', async () => {
    const hostile = IssueSchema.parse({
      ...testIssue,
      introduction: 'Intro <img src="x" onerror="alert(1)"> [x](javascript:alert(1))',
      sections: [
        {
          id: 'postes',
          items: [
            {
              ...testIssue.sections[0]?.items[0],
              title: 'Title <script>alert(1)</script>',
              summary:
                'Hi <script>alert("s")</script> <a href="https://ok.example.org" onclick="x()">ok</a> ' +
                '<img src=x onerror=alert(2)> [js](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) ' +
                '<a href="JaVaScRiPt:alert(4)">js2</a> <p onmouseover="y()">para</p>',
              en: undefined,
            },
          ],
        },
      ],
    });
    for (const locale of ['fr', 'en'] as const) {
      const { html, text } = await renderer.renderIssue(hostile, testNewsletter, locale);
      for (const body of [html, text]) {
        expect(body.toLowerCase()).not.toContain('javascript:');
        expect(body.toLowerCase()).not.toContain('data:');
        expect(body).not.toMatch(/\bon(error|click|mouseover)\s*=/i);
        expect(body).not.toContain('alert("s")');
      }
      expect(html).not.toMatch(/<script/i);
      // A title is text: its markup is shown escaped, never interpreted.
      expect(html).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toMatch(/<a [^>]*href="https:\/\/ok\.example\.org"[^>]*>ok<\/a>/);
      expect(html).toMatch(/<a [^>]*rel="noopener"/);
      expect(text).toContain('ok (https://ok.example.org)');
    }
  });

  it('keeps the HTML under 100 KB', async () => {
    const fr = await renderer.renderIssue(testIssue, testNewsletter, 'fr');
    expect(Buffer.byteLength(fr.html)).toBeLessThan(100 * 1024);
  });
});

describe('renderTransactional', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depeche-templates-'));
    await cp(templatesDir, dir, { recursive: true });
    await writeFile(
      join(dir, '_shared', 'hello.mjml.hbs'),
      '{{#> layout}}{{#*inline "content"}}<mj-section><mj-column><mj-text><p>{{t "email.greeting_named" name=name}}</p><a href="{{link}}">go</a></mj-text></mj-column></mj-section>{{/inline}}{{/layout}}',
    );
    await writeFile(
      join(dir, '_shared', 'hello.txt.hbs'),
      '{{t "email.greeting_named" name=name}}\n{{link}}\n',
    );
    await writeFile(
      join(dir, '_shared', 'broken.mjml.hbs'),
      '{{#> layout}}{{#*inline "content"}}<mj-column><mj-section></mj-section></mj-column>{{/inline}}{{/layout}}',
    );
    await writeFile(join(dir, '_shared', 'broken.txt.hbs'), 'x');
    // A stand-in for the confirmation template (its real one is written elsewhere).
    await cp(join(dir, '_shared', 'hello.mjml.hbs'), join(dir, '_shared', 'confirm.mjml.hbs'));
    await cp(join(dir, '_shared', 'hello.txt.hbs'), join(dir, '_shared', 'confirm.txt.hbs'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders a shared template with the subject from the locale file', async () => {
    const own = createRenderer({ templatesDir: dir });
    const message = await own.renderTransactional('hello', 'en', {
      name: 'A&B',
      link: 'https://example.org/c?t=1',
      newsletter: 'AdN',
    });
    // `email.hello.subject` does not exist: the key itself shows the gap.
    expect(message.subject).toBe('email.hello.subject');
    expect(message.html).toContain('Hello A&amp;B,');
    expect(message.text).toBe('Hello A&B,\nhttps://example.org/c?t=1\n');
  });

  it('takes the subject and preheader from email.<name>.subject / .preheader with data filled', async () => {
    const own = createRenderer({ templatesDir: dir });
    const message = await own.renderTransactional('confirm', 'fr', { newsletter: 'AdN' });
    expect(message.subject).toBe('Confirmez votre abonnement à AdN');
    expect(titleOf(message.html)).toBe(message.subject);
    expect(message.html).toContain('Un clic pour confirmer votre abonnement.');
  });

  it('fails with every MJML error of an invalid template', async () => {
    const own = createRenderer({ templatesDir: dir });
    const failure = own.renderTransactional('broken', 'fr', {});
    await expect(failure).rejects.toBeInstanceOf(TemplateInvalidError);
    await expect(failure).rejects.toThrow(/_shared\/broken\.mjml\.hbs/);
  });
});
