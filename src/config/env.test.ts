import { describe, expect, it } from 'vitest';

import { loadConfig } from './env.ts';

describe('FEED_ALLOW_PRIVATE_ADDRESSES', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['true', true],
    ['127.0.0.1', ['127.0.0.1']],
    [' 10.20.0.0/16, fd12:3456::/48 ,::1 ', ['10.20.0.0/16', 'fd12:3456::/48', '::1']],
  ])('reads %j as %j', (value, expected) => {
    expect(
      loadConfig({ FEED_ALLOW_PRIVATE_ADDRESSES: value }).FEED_ALLOW_PRIVATE_ADDRESSES,
    ).toEqual(expected);
  });

  it.each([
    'yes',
    'localhost',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.0/8/1',
    '2130706433',
    '10.0.0.0/x',
    '::ffff:10.0.0.0/104',
  ])('refuses %j, naming the variable and the bad entry', (value) => {
    expect(() => loadConfig({ FEED_ALLOW_PRIVATE_ADDRESSES: `127.0.0.1,${value}` })).toThrow(
      `Configuration: FEED_ALLOW_PRIVATE_ADDRESSES expected true, false, or comma-separated IP addresses and CIDR ranges, IPv4 ones written as IPv4: '${value}' is not one`,
    );
  });
});

describe('BOUNCE_ADDRESS and the bounce settings', () => {
  it('reads the bounce address and the soft-bounce defaults', () => {
    const config = loadConfig({ BOUNCE_ADDRESS: 'bounces@news.example.org' });
    expect(config.BOUNCE_ADDRESS).toBe('bounces@news.example.org');
    expect(config.BOUNCE_SOFT_LIMIT).toBe(3);
    expect(config.BOUNCE_SOFT_WINDOW_DAYS).toBe(30);
    expect(config.INBOUND_PORT).toBe(2525);
    expect(loadConfig({ BOUNCE_ADDRESS: '' }).BOUNCE_ADDRESS).toBeUndefined();
  });

  it.each([
    ['not-an-address', 'expected an address like bounces@news.example.org'],
    ['bounces+x@news.example.org', "expected an address without '+'"],
  ])('refuses BOUNCE_ADDRESS=%j', (value, message) => {
    expect(() => loadConfig({ BOUNCE_ADDRESS: value })).toThrow(
      `Configuration: BOUNCE_ADDRESS ${message}`,
    );
  });

  it('refuses a soft-bounce limit that is not a positive integer', () => {
    expect(() => loadConfig({ BOUNCE_SOFT_LIMIT: '0' })).toThrow('BOUNCE_SOFT_LIMIT');
    expect(() => loadConfig({ INBOUND_PORT: '70000' })).toThrow('INBOUND_PORT');
  });
});
