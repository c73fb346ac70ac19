import { AppError } from '../lib/index.ts';

/** The outcome of requesting one link. */
export interface LinkResult {
  url: string;
  isOk: boolean;
  /** Final HTTP status, when the server answered. */
  status?: number;
  /** Why it failed, in plain words. */
  reason?: string;
}

/** Options of {@link createLinkChecker}. */
export interface LinkCheckerOptions {
  /** The fetch implementation (global `fetch` in production, anything in tests). */
  fetch: typeof globalThis.fetch;
  /** Links requested at once. @defaultValue 8 */
  concurrency?: number;
  /** Time allowed per request. @defaultValue 10000 */
  timeoutMs?: number;
  /** Sent with every request; some sites refuse requests without one. */
  userAgent?: string;
}

/** Requests links and tells which ones work. */
export type LinkChecker = ReturnType<typeof createLinkChecker>;

/**
 * Builds a link checker: each link is requested with HEAD, then with GET when HEAD fails
 * (many servers refuse HEAD), following redirects, with a timeout per request and at most
 * `concurrency` requests at once. A link fails on a status ≥ 400 or a network error.
 */
export function createLinkChecker(options: LinkCheckerOptions) {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { 'user-agent': options.userAgent ?? 'Depeche-LinkCheck/0.1', accept: '*/*' };

  async function request(url: string, method: 'HEAD' | 'GET'): Promise<LinkResult> {
    try {
      const response = await options.fetch(url, {
        method,
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The body is not needed: release the connection at once.
      await response.body?.cancel().catch(() => undefined);
      return response.status >= 400
        ? { url, isOk: false, status: response.status, reason: `HTTP ${response.status}` }
        : { url, isOk: true, status: response.status };
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return { url, isOk: false, reason: `no answer within ${timeoutMs / 1000} s` };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      // Our own errors (an address refused by the guarded fetch) say more than their code.
      if (cause instanceof AppError) return { url, isOk: false, reason: cause.message };
      return { url, isOk: false, reason: cause?.code ?? cause?.message ?? String(error) };
    }
  }

  async function checkOne(url: string): Promise<LinkResult> {
    const head = await request(url, 'HEAD');
    // A timeout is not retried: the GET would most likely wait as long again.
    if (head.isOk || head.reason?.startsWith('no answer')) return head;
    return request(url, 'GET');
  }

  return {
    /** Requests each distinct URL once; the results come back in the order of `urls`. */
    async check(urls: readonly string[]): Promise<LinkResult[]> {
      const unique = [...new Set(urls)];
      const results = new Map<string, LinkResult>();
      let next = 0;
      const lane = async () => {
        while (next < unique.length) {
          const url = unique[next++] as string;
          results.set(url, await checkOne(url));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, lane));
      return urls.map((url) => results.get(url) as LinkResult);
    },
  };
}
