import { describe, expect, it } from 'vitest';

import { archivedIssueCsp, pageSecurityHeaders, securityHeaders } from './security-headers.ts';

describe('security headers', () => {
  it('gives the pages a policy with no script and the usual helmet headers', () => {
    const headers = pageSecurityHeaders({ isHttps: false });
    expect(headers['content-security-policy']).toBe(
      "default-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none';" +
        "img-src 'self' data:;object-src 'none';script-src 'none';style-src 'self'",
    );
    expect(headers).toMatchObject({
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(headers['strict-transport-security']).toBeUndefined();
  });

  it('adds HSTS and upgrade-insecure-requests over https only', () => {
    const headers = pageSecurityHeaders({ isHttps: true });
    expect(headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
    expect(headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('lets an archived issue use inline styles and remote images, never a script', () => {
    const csp = archivedIssueCsp();
    expect(csp).toContain("style-src 'unsafe-inline' https:");
    expect(csp).toContain('img-src https: data:');
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("default-src 'none'");
  });

  it('refuses an invalid option as helmet does', () => {
    expect(() =>
      securityHeaders({
        contentSecurityPolicy: { useDefaults: false, directives: { scriptSrc: ['none'] } },
      }),
    ).toThrow();
  });
});
