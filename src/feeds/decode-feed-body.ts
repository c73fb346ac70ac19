import iconv from 'iconv-lite';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function charsetOfContentType(contentType: string | undefined): string | undefined {
  const match = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function charsetOfProlog(body: Buffer): string | undefined {
  // The prolog is ASCII in every encoding a feed may declare this way.
  const head = body.subarray(0, 300).toString('latin1');
  const match = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return match?.[1]?.toLowerCase();
}

function isUtf8Label(label: string): boolean {
  return label === 'utf-8' || label === 'utf8';
}

/**
 * Decodes a feed body to text, honouring what it declares and guessing what it does not:
 *
 * 1. a byte-order mark (UTF-8, UTF-16) wins;
 * 2. else the `charset` of Content-Type, else the `encoding` of the XML prolog;
 *    `iso-8859-1`/`latin1`/`us-ascii` are read as Windows-1252, their superset (as browsers do);
 * 3. undeclared, or declared UTF-8 but not valid UTF-8: Windows-1252, the usual encoding of
 *    older French feeds that say nothing.
 */
export function decodeFeedBody(body: Buffer, contentType?: string): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return decodeUtf8OrLegacy(body.subarray(3));
  }
  if (body[0] === 0xff && body[1] === 0xfe) return iconv.decode(body.subarray(2), 'utf-16le');
  if (body[0] === 0xfe && body[1] === 0xff) return iconv.decode(body.subarray(2), 'utf-16be');

  const declared = charsetOfContentType(contentType) ?? charsetOfProlog(body);
  if (declared === undefined || isUtf8Label(declared)) return decodeUtf8OrLegacy(body);
  if (/^(?:iso-?8859-1|latin-?1|l1|us-ascii|ascii|cp819)$/.test(declared)) {
    return iconv.decode(body, 'windows-1252');
  }
  return iconv.encodingExists(declared) ? iconv.decode(body, declared) : decodeUtf8OrLegacy(body);
}

function decodeUtf8OrLegacy(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    return iconv.decode(body, 'windows-1252');
  }
}
