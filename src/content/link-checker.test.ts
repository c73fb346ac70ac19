import { describe, expect, it } from 'vitest';

import { createLinkChecker } from './link-checker.ts';

type Handler = (url: string, init: RequestInit) => Promise<Response>;

function fakeFetch(handler: Handler) {
  const calls: Array<{ url: string; method: string | undefined }> = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), method: init?.method });
    return handler(String(input), init ?? {});
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('createLinkChecker', () => {
  it('retries with GET when HEAD is refused, and reports statuses ≥ 400', async () => {
    const { fetch, calls } = fakeFetch(async (url, init) => {
      if (url.endsWith('/head-refused')) {
        return new Response(null, { status: init.method === 'HEAD' ? 405 : 200 });
      }
      return new Response(null, { status: url.endsWith('/missing') ? 404 : 200 });
    });
    const results = await createLinkChecker({ fetch }).check([
      'https://example.org/ok',
      'https://example.org/head-refused',
      'https://example.org/missing',
    ]);
    expect(results.map((r) => [r.isOk, r.reason])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'HTTP 404'],
    ]);
    expect(calls.filter((c) => c.url.endsWith('/missing')).map((c) => c.method)).toEqual([
      'HEAD',
      'GET',
    ]);
  });

  it('reports network errors and requests each URL once', async () => {
    const { fetch, calls } = fakeFetch(async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    const results = await createLinkChecker({ fetch }).check([
      'https://a.example/',
      'https://a.example/',
    ]);
    expect(results.map((r) => r.reason)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(calls).toHaveLength(2); // HEAD then GET, once for the URL
  });

  it('gives up on a request after the timeout without retrying', async () => {
    const { fetch, calls } = fakeFetch(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const [result] = await createLinkChecker({ fetch, timeoutMs: 50 }).check([
      'https://slow.example/',
    ]);
    expect(result).toMatchObject({ isOk: false, reason: 'no answer within 0.05 s' });
    expect(calls).toHaveLength(1);
  });

  it('never runs more requests at once than the concurrency', async () => {
    let running = 0;
    let peak = 0;
    const { fetch } = fakeFetch(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return new Response(null, { status: 200 });
    });
    const urls = Array.from({ length: 20 }, (_, i) => `https://example.org/${i}`);
    await createLinkChecker({ fetch, concurrency: 3 }).check(urls);
    expect(peak).toBe(3);
  });
});
