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

describe('INBOX_NEW_MAX_DAYS', () => {
  it('defaults to 45 days and reads a whole number', () => {
    expect(loadConfig({}).INBOX_NEW_MAX_DAYS).toBe(45);
    expect(loadConfig({ INBOX_NEW_MAX_DAYS: '90' }).INBOX_NEW_MAX_DAYS).toBe(90);
  });

  it.each(['0', '-3', '1.5', 'soon', '4000'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ INBOX_NEW_MAX_DAYS: value })).toThrow(/INBOX_NEW_MAX_DAYS/);
  });
});
