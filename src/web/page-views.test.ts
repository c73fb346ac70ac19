import { describe, expect, it } from 'vitest';

import { loadPageViews } from './page-views.ts';

describe('page views', () => {
  it('escapes every value and wraps the view in the layout of its language', async () => {
    const views = await loadPageViews();
    const html = views.page(
      'message',
      { locale: 'en', title: '<Title>', path: '/x"y', isPrivate: true },
      {
        heading: '<script>alert(1)</script>',
        paragraphs: ['a & b'],
        link: { href: 'javascript:"', label: '"' },
      },
    );
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>&lt;Title&gt; · Newsletters</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<p>a &amp; b</p>');
    expect(html).toContain('href="/x&quot;y?lang&#x3D;fr"');
    expect(html).toContain('noindex');
    expect(html).not.toContain('<script>');
  });

  it('keeps the query of the page in the language switch, escaped', async () => {
    const views = await loadPageViews();
    const html = views.page(
      'message',
      {
        locale: 'fr',
        title: 'Archive',
        path: '/archive/adn',
        query: 'q=%22%3E%3Cscript%3E&page=2',
      },
      { heading: 'h', paragraphs: [] },
    );
    expect(html).toContain(
      'href="/archive/adn?q&#x3D;%22%3E%3Cscript%3E&amp;page&#x3D;2&amp;lang&#x3D;en"',
    );
    expect(html).toContain(
      'href="/archive/adn?q&#x3D;%22%3E%3Cscript%3E&amp;page&#x3D;2&amp;lang&#x3D;fr"',
    );
  });

  it('translates with the page language', async () => {
    const views = await loadPageViews();
    expect(views.t('fr')('web.subscribe.title')).toBe('S’abonner');
    expect(views.t('en')('web.subscribe.title')).toBe('Subscribe');
  });
});
