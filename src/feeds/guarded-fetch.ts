import { fetch as undiciFetch } from 'undici';

import { createAddressPolicy, type PrivateAddressAllowance } from './address-policy.ts';
import { createGuardedAgent, type ResolveAll } from './guarded-agent.ts';

/** Options of {@link createGuardedFetch}. */
export interface GuardedFetchOptions {
  /**
   * Special-purpose addresses that may still be requested (FEED_ALLOW_PRIVATE_ADDRESSES).
   * @defaultValue false
   */
  allowPrivateAddresses?: PrivateAddressAllowance;
  /** Host name resolution. @defaultValue `dns.lookup` */
  resolveAll?: ResolveAll;
}

/**
 * A `fetch` under the feed poller's address policy: every connection, each redirect hop
 * included, goes through the guarded agent, so no loopback, private or link-local address is
 * ever requested (the link check at approval uses it).
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): typeof globalThis.fetch {
  const dispatcher = createGuardedAgent(
    createAddressPolicy(options.allowPrivateAddresses ?? false),
    options.resolveAll ? { resolveAll: options.resolveAll } : {},
  );
  const guarded = (
    input: Parameters<typeof undiciFetch>[0],
    init?: Parameters<typeof undiciFetch>[1],
  ) => undiciFetch(input, { ...init, dispatcher });
  return guarded as unknown as typeof globalThis.fetch;
}
