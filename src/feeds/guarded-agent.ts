import dns from 'node:dns';
import net from 'node:net';

import { Agent, buildConnector } from 'undici';

import type { AddressPolicy } from './address-policy.ts';
import { FeedUnreachableError } from './feed-errors.ts';

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true`). */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) =>
  dns.lookup(hostname, { ...options, all: true }, callback);

function forbidden(host: string, address: string, range: string): FeedUnreachableError {
  const what = host === address ? `${address} is` : `'${host}' resolves to ${address},`;
  return new FeedUnreachableError(
    'forbidden-address',
    `${what} a special-purpose address (${range}): not fetched (see FEED_ALLOW_PRIVATE_ADDRESSES)`,
  );
}

/**
 * A `lookup` for `net.connect` that resolves as usual, then keeps only the addresses `policy`
 * allows; when none is left the connection fails with a `forbidden-address` feed error. The
 * socket connects to an address this function returned, so the check holds for the address
 * actually connected to (no resolve-then-connect race, no DNS rebinding in between).
 */
export function createGuardedLookup(
  policy: AddressPolicy,
  resolveAll: ResolveAll = systemResolveAll,
): net.LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, options, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const answer = addresses[0];
      if (answer === undefined) {
        callback(
          Object.assign(new Error(`no address for '${hostname}'`), { code: 'ENOTFOUND' }),
          '',
        );
        return;
      }
      const allowed = addresses.filter((entry) => policy(entry.address).isAllowed);
      const first = allowed[0];
      if (first === undefined) {
        // Every address is refused: name the first, with its block.
        const verdict = policy(answer.address);
        const range = verdict.isAllowed ? 'unknown' : verdict.range;
        callback(forbidden(hostname, answer.address, range), '');
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

/** Options of {@link createGuardedAgent}. */
export interface GuardedAgentOptions {
  /** Host name resolution. @defaultValue `dns.lookup` */
  resolveAll?: ResolveAll;
}

/**
 * An undici dispatcher that connects only where `policy` allows: a URL's IP address is checked
 * before connecting, a host name's addresses when it is resolved for the connection
 * ({@link createGuardedLookup}). Every connection goes through it, so each redirect hop is
 * checked too.
 */
export function createGuardedAgent(
  policy: AddressPolicy,
  options: GuardedAgentOptions = {},
): Agent {
  const connect = buildConnector({ lookup: createGuardedLookup(policy, options.resolveAll) });
  return new Agent({
    connect(target, callback) {
      // net.connect skips `lookup` for an IP address: check it here.
      const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
      if (net.isIP(host) !== 0) {
        const verdict = policy(host);
        if (!verdict.isAllowed) {
          callback(forbidden(host, host, verdict.range), null);
          return;
        }
      }
      connect(target, callback);
    },
  });
}
