import { describe, expect, it } from 'vitest';

import { markdownToHtml, markdownToText } from './markdown.ts';

const hostile = [
  'Hello <script>alert(1)</script> **bold**',
  '<img src="x" onerror="alert(2)"> <b onmouseover="alert(3)">b</b>',
  '[js](javascript:alert(4)) [js2](JAVASCRIPT:alert(5)) <a href=" javascript:alert(6)">js3</a>',
  '[data](data:text/html;base64,PHNjcmlwdD4=) <a href="data:text/html,x">d2</a>',
  '<a href="https://ok.example.org/?a=1&b=2" onclick="x()">ok</a> [rel](/relative)',
].join('\n\n');

describe('markdownToHtml', () => {
  const html = markdownToHtml(hostile);

  it('removes scripts, event handlers and javascript:/data: URLs', () => {
    expect(html).not.toMatch(/<script|alert\(1\)/i);
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html.toLowerCase()).not.toContain('javascript:');
    expect(html.toLowerCase()).not.toContain('data:');
    expect(html).not.toContain('<img');
  });

  it('keeps http(s) links with rel="noopener" and drops relative ones', () => {
    expect(html).toContain(
      '<a rel="noopener" target="_blank" href="https://ok.example.org/?a=1&amp;b=2">ok</a>',
    );
    expect(html).not.toContain('/relative');
    // A dropped link leaves its text, not an empty <a>.
    expect(html).not.toMatch(/<a (?![^>]*href=)/);
    expect(html).toContain('[rel]'.slice(1, 4));
    expect(html).toContain('<strong>bold</strong>');
  });

  it('keeps mailto links', () => {
    expect(markdownToHtml('<info@example.org>')).toContain('href="mailto:info@example.org"');
  });
});

describe('markdownToText', () => {
  it('gives the same content as text, links as "text (url)"', () => {
    const text = markdownToText(hostile);
    expect(text).toContain('Hello bold');
    expect(text).toContain('ok (https://ok.example.org/?a=1&b=2)');
    expect(text).not.toMatch(/<script|alert\(1\)|javascript:|data:|onerror/i);
  });

  it('flattens lists, paragraphs and entities', () => {
    expect(markdownToText('One & two\n\n- a\n- b <https://x.example.org>\n\n> quote')).toBe(
      'One & two\n\n- a\n- b https://x.example.org\n\nquote',
    );
  });
});
