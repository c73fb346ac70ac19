import type { IncomingMessage, ServerResponse } from 'node:http';

import helmet, { type HelmetOptions } from 'helmet';

/** Response headers as name → value, lower-case names. */
export type HeaderSet = Readonly<Record<string, string>>;

/**
 * The headers helmet sets for `options`, computed once. Helmet's middleware sets the same
 * headers on every response when no directive is a function (ours never are), so the pages set
 * this precomputed set instead of running helmet, and re-parsing its Content-Security-Policy,
 * on every request (`@fastify/helmet` 13 does that: about a tenth of the CPU of a one-click
 * POST). Throws on an invalid option, as helmet does.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): HeaderSet {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  // helmet throws on an invalid option when it builds the middleware, which then sets the
  // headers synchronously
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/**
 * Content-Security-Policy of the pages: their own stylesheet, no script at all — or, for a page
 * given `scriptHashes` (`'sha256-…'`), only the inline scripts of those hashes.
 */
export function pageSecurityHeaders(options: {
  isHttps: boolean;
  scriptHashes?: readonly string[];
}): HeaderSet {
  return securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: options.scriptHashes?.length ? [...options.scriptHashes] : ["'none'"],
        styleSrc: ["'self'"],
        ...(options.isHttps ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Links to the archive and feeds may be shared; the referrer never carries a token.
    referrerPolicy: { policy: 'no-referrer' },
    // as frame-ancestors 'none' says, for browsers that read only the older header
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: options.isHttps ? { maxAge: 15_552_000 } : false,
  });
}

/**
 * The Content-Security-Policy of an archived issue, an email: its inline styles and remote
 * images and fonts, no script, no form, no frame.
 */
export function archivedIssueCsp(): string {
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'", 'https:'],
        imgSrc: ['https:', 'data:'],
        fontSrc: ['https:'],
        scriptSrc: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const csp = headers['content-security-policy'];
  if (csp === undefined) throw new Error('helmet set no Content-Security-Policy');
  return csp;
}
