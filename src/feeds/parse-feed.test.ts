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

  it('refuses a document declaring entities before parsing it', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rss version="2.0"/>';
    await expect(parseFeed(bomb, 'https://a.example.org/feed')).rejects.toBeInstanceOf(
      FeedInvalidError,
    );
  });
});
