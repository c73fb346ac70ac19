/**
 * Query parameters that only track where a click came from. They never change what a page
 * shows, so two links differing only by them are the same item.
 */
const trackingParams = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  'ref_src',
  'ref_url',
  'cmpid',
  'srsltid',
]);

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || trackingParams.has(lower);
}

/** True when `url` is an absolute `http:` or `https:` URL. */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Resolves `href` (possibly relative) against `base`; `undefined` when the result is not an
 * `http:`/`https:` URL (so `javascript:`, `data:` or `file:` links never become candidates).
 */
export function resolveWebUrl(href: string | undefined, base: string): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed) return undefined;
  try {
    const resolved = new URL(trimmed, base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:'
      ? resolved.href
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The canonical form of a link, used to recognise the same item from several feeds or polls:
 * tracking parameters (`utm_*`, `fbclid`, `gclid`, `mc_cid`, `mc_eid`…) removed, fragment
 * dropped, host lower-cased, default port removed. Other parameters keep their order, since
 * some sites depend on it. Returns `undefined` for anything but an absolute web URL.
 */
export function canonicalUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTrackingParam(name));
  if (kept.length !== [...parsed.searchParams].length) {
    parsed.search = kept.length === 0 ? '' : new URLSearchParams(kept).toString();
  }
  // URL already lower-cases the host and drops default ports.
  return parsed.href;
}
