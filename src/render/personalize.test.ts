import { describe, expect, it } from 'vitest';

import { compilePersonalization, greetingFor, personalize } from './personalize.ts';
import { PLACEHOLDERS } from './placeholders.ts';

const values = {
  greeting: greetingFor('<b>&"\'', 'fr'),
  unsubscribeUrl: 'https://example.org/u?t=a&b=1',
  preferencesUrl: 'https://example.org/p?t=x',
  viewOnlineUrl: 'https://example.org/v/adn/2026-11',
};

describe('personalize', () => {
  const template = compilePersonalization({
    html: `<p>${PLACEHOLDERS.greeting}</p><a href="${PLACEHOLDERS.unsubscribeUrl}">u</a><a href="${PLACEHOLDERS.preferencesUrl}">p</a><a href="${PLACEHOLDERS.viewOnlineUrl}">v</a>${PLACEHOLDERS.unsubscribeUrl}`,
    text: `${PLACEHOLDERS.greeting}\nU: ${PLACEHOLDERS.unsubscribeUrl}\nP: ${PLACEHOLDERS.preferencesUrl}\nV: ${PLACEHOLDERS.viewOnlineUrl}`,
  });

  it('escapes a name with <b>&"\' in the HTML and keeps it raw in the text', () => {
    const { html, text } = personalize(template, values);
    expect(html).toContain('<p>Bonjour &lt;b&gt;&amp;&quot;&#39;,</p>');
    expect(html).not.toContain('<b>');
    expect(text).toContain('Bonjour <b>&"\',');
  });

  it('fills every placeholder, repeated ones included, and leaves none', () => {
    const { html, text } = personalize(template, values);
    expect(html).toContain('href="https://example.org/u?t=a&amp;b=1"');
    expect(html.match(/example\.org\/u/g)).toHaveLength(2);
    expect(text).toContain('U: https://example.org/u?t=a&b=1');
    expect(text).toContain('V: https://example.org/v/adn/2026-11');
    expect(html).not.toContain('%%');
    expect(text).not.toContain('%%');
  });

  it('splits once: literals surround the slots', () => {
    expect(template.html.slots).toEqual([
      'greeting',
      'unsubscribeUrl',
      'preferencesUrl',
      'viewOnlineUrl',
      'unsubscribeUrl',
    ]);
    expect(template.html.literals).toHaveLength(6);
  });

  it('keeps a body without placeholders intact', () => {
    const plain = compilePersonalization({ html: '<p>x</p>', text: 'x' });
    expect(personalize(plain, values)).toEqual({ html: '<p>x</p>', text: 'x' });
  });
});

describe('greetingFor', () => {
  it.each([
    ['Marie', 'fr', 'Bonjour Marie,'],
    ['Marie', 'en', 'Hello Marie,'],
    [null, 'fr', 'Bonjour,'],
    ['  ', 'en', 'Hello,'],
  ] as const)('greets %s in %s', (name, locale, expected) => {
    expect(greetingFor(name, locale)).toBe(expected);
  });
});
