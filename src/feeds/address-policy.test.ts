import { describe, expect, it } from 'vitest';

import { createAddressPolicy, specialPurposeRange } from './address-policy.ts';

describe('specialPurposeRange', () => {
  it.each([
    // IPv4
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'shared address space'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.2', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::2', 'unique local'],
    ['fc00::1', 'unique local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'IETF protocol assignments'],
    ['2002:7f00:1::1', '6to4'],
    ['64:ff9b:1::1', 'not global unicast'],
    ['100::1', 'not global unicast'],
    // IPv4-compatible (deprecated), not IPv4-mapped: outside global unicast.
    ['::127.0.0.1', 'not global unicast'],
    ['::8.8.8.8', 'not global unicast'],
    // IPv4 carried in IPv6: judged as the IPv4 address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    // Not IP addresses (a legacy form included).
    ['localhost', 'invalid'],
    ['2130706433', 'invalid'],
    ['', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(specialPurposeRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '192.0.1.1',
    '2606:4700::1111',
    '2a00:1450:4007:80e::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('%s is public', (address) => {
    expect(specialPurposeRange(address)).toBeUndefined();
  });
});

describe('createAddressPolicy', () => {
  it('allows public addresses and refuses special-purpose ones by default', () => {
    const policy = createAddressPolicy(false);
    expect(policy('8.8.8.8')).toEqual({ isAllowed: true });
    expect(policy('127.0.0.1')).toEqual({ isAllowed: false, range: 'loopback' });
    expect(policy('::ffff:10.0.0.1')).toEqual({ isAllowed: false, range: 'private' });
  });

  it('allows every address with true', () => {
    const policy = createAddressPolicy(true);
    expect(policy('127.0.0.1')).toEqual({ isAllowed: true });
    expect(policy('fd00::2')).toEqual({ isAllowed: true });
  });

  it('allows only the listed addresses and ranges, IPv4-mapped forms included', () => {
    const policy = createAddressPolicy(['127.0.0.1', '10.20.0.0/16', 'fd12:3456::/48']);
    expect(policy('127.0.0.1').isAllowed).toBe(true);
    expect(policy('::ffff:127.0.0.1').isAllowed).toBe(true);
    expect(policy('127.0.0.2')).toEqual({ isAllowed: false, range: 'loopback' });
    expect(policy('::1')).toEqual({ isAllowed: false, range: 'loopback' });
    expect(policy('10.20.30.40').isAllowed).toBe(true);
    expect(policy('10.21.0.1')).toEqual({ isAllowed: false, range: 'private' });
    expect(policy('fd12:3456:0:1::9').isAllowed).toBe(true);
    expect(policy('fd12:3457::9')).toEqual({ isAllowed: false, range: 'unique local' });
    expect(policy('169.254.169.254')).toEqual({ isAllowed: false, range: 'link-local' });
    expect(policy('8.8.8.8').isAllowed).toBe(true);
  });

  it('refuses an allowance entry that is not an address or range', () => {
    expect(() => createAddressPolicy(['localhost'])).toThrow(
      "'localhost' is not an IP address or CIDR range",
    );
  });
});
