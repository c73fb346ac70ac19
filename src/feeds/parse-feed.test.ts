import { describe, expect, it } from 'vitest';

import { FeedInvalidError } from './feed-errors.ts';
import { parseFeed } from './parse-feed.ts';

describe('parseFeed', () => {
  it('keeps an Atom entry whose date cannot be read, without a date', async () => {
    const feed = await parseFeed(
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
      <entry><title>A</title><link href="/1"/><id>1</id><published>not a date</published></entry>
      <entry><title>B</title><link href="/2"/><id>2</id><updated>2026-11-01T00:00:00Z</updated></entry>
      </feed>`,
      'https://a.example.org/feed',
    );
    expect(feed.entries).toEqual([
      {
        baseUrl: 'https://a.example.org/feed',
        title: 'A',
        link: 'https://a.example.org/1',
        guid: '1',
      },
      {
        baseUrl: 'https://a.example.org/feed',
        title: 'B',
        link: 'https://a.example.org/2',
        guid: '2',
        published: '2026-11-01T00:00:00.000Z',
      },
    ]);
  });

  // Both documents below took hours of blocked event loop (rss-parser's snippet regex, a lazy
  // comment pattern backtracking exponentially): no deadline can interrupt that.
  it('reads a 1 MiB description of unclosed tags', async () => {
    const body = 'a<p '.repeat(256 * 1024);
    const feed = await parseFeed(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>
      <link>https://a.example.org/1</link><description><![CDATA[${body}]]></description>
      </item></channel></rss>`,
      'https://a.example.org/feed',
    );
    expect(feed.entries[0]?.summaryHtml).toHaveLength(body.length);
  });

  it('reads past many leading comments, and recognises an HTML page after them', async () => {
    const comments = '<!-- generated --> '.repeat(2000);
    const feed = await parseFeed(
      `<?xml version="1.0"?>${comments}<rss version="2.0"><channel><title>t</title></channel></rss>`,
      'https://a.example.org/feed',
    );
    expect(feed).toEqual({ title: 't', entries: [] });
    await expect(
      parseFeed(`${comments}<!DOCTYPE html><html><body>x</body></html>`, 'https://a.example.org/'),
    ).rejects.toMatchObject({ reason: 'not-a-feed' });
    await expect(
      parseFeed(`${comments}<html lang="fr"><body>x</body></html>`, 'https://a.example.org/'),
    ).rejects.toMatchObject({ reason: 'not-a-feed' });
  });

  it('refuses a document declaring entities before parsing it', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rss version="2.0"/>';
    await expect(parseFeed(bomb, 'https://a.example.org/feed')).rejects.toBeInstanceOf(
      FeedInvalidError,
    );
  });
});
