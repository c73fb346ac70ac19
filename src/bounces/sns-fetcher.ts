import type { SnsDeps } from './ses-sns-webhook.ts';

/** Timeout of one request to SNS. */
const snsTimeoutMs = 10_000;

/**
 * The HTTP side of the SES (SNS) webhook: fetches signing certificates (kept in memory by URL:
 * SNS uses few) and visits SubscribeURLs, both over HTTPS only to SNS's own hosts (checked by
 * the verifier before).
 */
export function createSnsFetcher(topicArns: readonly string[]): SnsDeps {
  const certificates = new Map<string, Promise<string>>();
  const get = async (url: string) => {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(snsTimeoutMs),
      redirect: 'error',
    });
    if (!response.ok)
      throw new Error(`SNS answered ${response.status} for ${new URL(url).hostname}`);
    return response.text();
  };
  return {
    topicArns,
    fetchCertificate(url) {
      let certificate = certificates.get(url);
      if (!certificate) {
        certificate = get(url);
        certificate.catch(() => certificates.delete(url));
        certificates.set(url, certificate);
      }
      return certificate;
    },
    async confirmSubscription(url) {
      await get(url);
    },
  };
}
