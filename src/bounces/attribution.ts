/**
 * Pure helpers that find, in an inbound message, what names the delivery it is about: the
 * addresses it was sent to (where a VERP token sits) and the Message-IDs it refers to.
 */

/** Header fields of the top-level block of a raw message, lower-case names, every value kept. */
export function topHeaders(raw: Buffer): Map<string, string[]> {
  const text = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const fields = new Map<string, string[]>();
  let last: { name: string; index: number } | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.name) ?? [];
      values[last.index] = `${values[last.index] ?? ''} ${line.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const name = (match[1] ?? '').toLowerCase();
    const values = fields.get(name) ?? [];
    values.push((match[2] ?? '').trim());
    fields.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return fields;
}

/** Every address-looking token of a header value (`"A" <a@x>, b@y` → `a@x`, `b@y`). */
export function addressesIn(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g)].map((m) => m[0].toLowerCase());
}

/**
 * Where a VERP token may be, most trusted first: the SMTP envelope recipients, then the headers
 * a receiving server writes (Delivered-To, X-Original-To, Envelope-To), then To, then the
 * Return-Path of the returned message.
 */
export function candidateReturnPaths(
  headers: Map<string, string[]>,
  envelopeRecipients: readonly string[],
  returnedReturnPath: string | undefined,
): string[] {
  const fromHeaders = ['delivered-to', 'x-original-to', 'envelope-to', 'to'].flatMap((name) =>
    (headers.get(name) ?? []).flatMap(addressesIn),
  );
  const all = [
    ...envelopeRecipients.map((a) => a.toLowerCase()),
    ...fromHeaders,
    ...(returnedReturnPath ? [returnedReturnPath.toLowerCase()] : []),
  ];
  return [...new Set(all)];
}

/** The campaign key and subscriber of a Dépêche Message-ID (`<key>.s345@domain`), if it is one. */
export function parseCampaignMessageId(
  messageId: string,
): { messageKey: string; subscriberId: number } | undefined {
  const match = /^<?([0-9a-f]{16,40})\.s(\d{1,15})@[^>\s]+>?$/i.exec(messageId.trim());
  if (!match) return undefined;
  const subscriberId = Number(match[2]);
  return Number.isSafeInteger(subscriberId) && subscriberId > 0
    ? { messageKey: (match[1] ?? '').toLowerCase(), subscriberId }
    : undefined;
}

/** Message-IDs an unsubscribe mail refers to (In-Reply-To, References). */
export function referencedMessageIds(headers: Map<string, string[]>): string[] {
  return ['in-reply-to', 'references'].flatMap((name) =>
    (headers.get(name) ?? []).flatMap((value) =>
      [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? ''),
    ),
  );
}

/** Text safe for a PostgreSQL text column: no NUL, at most `max` characters. */
export function storableText(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/\u0000/g, '').trim();
  return clean === '' ? null : clean.slice(0, max);
}
