import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import { decodeFeedBody } from './decode-feed-body.ts';

const text = '<?xml version="1.0"?><t>Élève, où ça ? « déjà » – 5 €</t>';

describe('decodeFeedBody', () => {
  it('reads UTF-8, with or without BOM', () => {
    expect(decodeFeedBody(Buffer.from(text, 'utf8'))).toBe(text);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(decodeFeedBody(bom)).toBe(text);
  });

  it('honours ISO-8859-1 declared in the XML prolog', () => {
    const latin = '<?xml version="1.0" encoding="ISO-8859-1"?><t>Élève, où ça ?</t>';
    expect(decodeFeedBody(iconv.encode(latin, 'latin1'))).toBe(latin);
  });

  it('honours the charset of Content-Type', () => {
    const bytes = iconv.encode(text, 'windows-1252');
    expect(decodeFeedBody(bytes, 'application/rss+xml; charset=windows-1252')).toBe(text);
  });

  it('detects undeclared Windows-1252', () => {
    expect(decodeFeedBody(iconv.encode(text, 'windows-1252'))).toBe(text);
  });

  it('falls back when UTF-8 is declared but the bytes are not', () => {
    const bytes = iconv.encode(text, 'windows-1252');
    expect(decodeFeedBody(bytes, 'text/xml; charset=utf-8')).toBe(text);
  });
});
