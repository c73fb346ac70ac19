import net from 'node:net';

import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
type RangeTable = Record<string, Range[]>;

function ranges(...cidrs: string[]): Range[] {
  return cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
}

/**
 * IPv4 blocks a feed may not be fetched from: those of the IANA IPv4 Special-Purpose Address
 * Registry that are not globally reachable, plus multicast and the reserved 240/4 (with the
 * limited broadcast). Names are what feed errors say.
 */
const specialIpv4: RangeTable = {
  'this network': ranges('0.0.0.0/8'),
  private: ranges('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'),
  'shared address space': ranges('100.64.0.0/10'),
  loopback: ranges('127.0.0.0/8'),
  'link-local': ranges('169.254.0.0/16'),
  'IETF protocol assignments': ranges('192.0.0.0/24'),
  documentation: ranges('192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'),
  '6to4 relay anycast': ranges('192.88.99.0/24'),
  benchmarking: ranges('198.18.0.0/15'),
  multicast: ranges('224.0.0.0/4'),
  reserved: ranges('240.0.0.0/4'),
};

/**
 * IPv6 blocks a feed may not be fetched from. Only 2000::/3 is global unicast; within it the
 * IETF protocol assignments (Teredo, ORCHID…), documentation and 6to4 are refused too.
 * IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses are judged by the IPv4
 * address they carry, before this table.
 */
const specialIpv6: RangeTable = {
  unspecified: ranges('::/128'),
  loopback: ranges('::1/128'),
  'link-local': ranges('fe80::/10'),
  'unique local': ranges('fc00::/7'),
  'site-local': ranges('fec0::/10'),
  multicast: ranges('ff00::/8'),
  'IETF protocol assignments': ranges('2001::/23'),
  documentation: ranges('2001:db8::/32', '3fff::/20'),
  '6to4': ranges('2002::/16'),
  'not global unicast': ranges('::/3', '4000::/2', '8000::/1'),
};

const nat64 = ipaddr.parseCIDR('64:ff9b::/96');

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // net.isIP, not ipaddr.isValid, which also reads legacy forms such as '2130706433'.
  const family = net.isIP(address);
  if (family === 0) return undefined;
  if (family === 6 && address.includes('.')) {
    // ipaddr.js reads '::a.b.c.d' (IPv4-compatible) as IPv4-mapped; the URL parser does not.
    const [host = '', zone] = address.split('%');
    const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
    return ipaddr.parse(zone === undefined ? canonical : `${canonical}%${zone}`);
  }
  return ipaddr.parse(address);
}

/**
 * The address as the network will use it: an IPv4-mapped or NAT64 IPv6 address becomes the
 * IPv4 address it carries. `undefined` when `address` is not an IP address.
 */
function effectiveAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const parsed = parseAddress(address);
  if (!parsed || parsed.kind() === 'ipv4') return parsed;
  const ipv6 = parsed as ipaddr.IPv6;
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address();
  if (ipv6.match(nat64)) return ipaddr.fromByteArray(ipv6.toByteArray().slice(12));
  return ipv6;
}

/**
 * The special-purpose block `address` belongs to (`loopback`, `private`, `link-local`,
 * `multicast`…), or `undefined` for a public (globally reachable) address. Anything that is
 * not an IP address counts as `invalid`.
 */
export function specialPurposeRange(address: string): string | undefined {
  const effective = effectiveAddress(address);
  if (!effective) return 'invalid';
  const table = effective.kind() === 'ipv4' ? specialIpv4 : specialIpv6;
  const name = ipaddr.subnetMatch(effective, table, 'public');
  return name === 'public' ? undefined : name;
}

/**
 * Which special-purpose addresses feeds may still be fetched from (FEED_ALLOW_PRIVATE_ADDRESSES):
 * none (`false`), all (`true`), or the listed addresses and CIDR ranges.
 */
export type PrivateAddressAllowance = boolean | readonly string[];

/** The verdict on one address: allowed, or refused with the block it belongs to. */
export type AddressVerdict = { isAllowed: true } | { isAllowed: false; range: string };

/** Decides whether a feed may be fetched from an address. */
export type AddressPolicy = (address: string) => AddressVerdict;

/**
 * The address policy of the feed fetcher: public addresses are always allowed; special-purpose
 * ones (see {@link specialPurposeRange}) only as `allowance` says. Throws on an entry of the
 * allowance that is not an address or CIDR range (the configuration checks that first).
 */
export function createAddressPolicy(allowance: PrivateAddressAllowance): AddressPolicy {
  const allowed =
    typeof allowance === 'boolean'
      ? []
      : allowance.map((entry): Range => {
          if (entry.includes('/')) return ipaddr.parseCIDR(entry);
          const address = effectiveAddress(entry);
          if (!address) throw new TypeError(`'${entry}' is not an IP address or CIDR range`);
          return [address, address.kind() === 'ipv4' ? 32 : 128];
        });
  return (address) => {
    const range = specialPurposeRange(address);
    if (range === undefined || allowance === true) return { isAllowed: true };
    const effective = effectiveAddress(address);
    const isListed =
      effective !== undefined &&
      allowed.some(([net, bits]) => net.kind() === effective.kind() && effective.match(net, bits));
    return isListed ? { isAllowed: true } : { isAllowed: false, range };
  };
}
