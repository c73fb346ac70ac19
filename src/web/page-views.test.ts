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
    expect(html).toContain('href="/x&quot;y?lang=fr"');
    expect(html).toContain('noindex');
    expect(html).not.toContain('<script>');
  });

  it('translates with the page language', async () => {
    const views = await loadPageViews();
    expect(views.t('fr')('web.subscribe.title')).toBe('S’abonner');
    expect(views.t('en')('web.subscribe.title')).toBe('Subscribe');
  });
});
