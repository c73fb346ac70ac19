import { describe, expect, it } from 'vitest';

import { foldText, htmlToText } from './plain-text.ts';

describe('htmlToText', () => {
  it.each([
    ['plain title', 'plain title'],
    ['  spaced\n\ttitle  ', 'spaced title'],
    ['<p>Caf&eacute; &amp; <b>th&#233;</b></p><p>fin&nbsp;!</p>', 'Café & thé fin !'],
    ['a<br>b<p>c</p>d<li>e</li>', 'a b c d e'],
    ['<script>alert(1)</script>Hello &lt;b&gt; x', 'Hello <b> x'],
    ['<style>p { color: red }</style><noscript><p>no</p></noscript>yes', 'yes'],
    ['<textarea><b>t</b></textarea><iframe src="x">frame</iframe>ok', 'ok'],
    ['<template><p>hidden</p></template><object>obj</object>shown', 'shown'],
    ['<!-- comment -->t<img src=x onerror=alert(1)>u', 'tu'],
    ['<![CDATA[hidden]]>visible', 'visible'],
    ['x < y and 3 > 2', 'x < y and 3 > 2'],
    ['AT&T &amp c &#x41;&#66;', 'AT&T & c AB'],
    ['<scr<script>ipt>x</script>', 'ipt>x'],
    ['<a href="javascript:alert(1)">lien</a>', 'lien'],
    ['<p>unclosed <b>bold', 'unclosed bold'],
  ])('%j → %j', (html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  it('never returns a tag', () => {
    const hostile = '<<script>script>alert(1)<</script>/script><svg onload=alert(1)><p>t</p>';
    expect(htmlToText(hostile)).not.toMatch(/<[a-z]/i);
  });
});

describe('foldText', () => {
  // The definition: canonical decomposition, combining marks removed, lower case.
  const reference = (text: string) =>
    text
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase();

  it.each([
    'Évaluation des Postdocs',
    'Maître de conférences – poste n° 4321 (à pourvoir)',
    'Ça coûte 2 500 € — « déjà » vu',
    'Skłodowska-Curie, Łódź, Øresund, Straße, İstanbul',
    'e\u0301te\u0301 (combining accents)',
    'ǅemal, ﬁnance, Ⅻ, 한국어, 日本語, emoji 🎉',
    'ΟΔΟΣ ΣΟΦΙΑΣ',
    'plain ASCII Text',
    '',
  ])('folds %j as NFD without marks, lower-cased', (text) => {
    expect(foldText(text)).toBe(reference(text));
    // Twice: the second time from the remembered characters.
    expect(foldText(text)).toBe(reference(text));
  });
});
