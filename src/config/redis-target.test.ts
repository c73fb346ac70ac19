import { describe, expect, it } from 'vitest';

import { hashTagOf, parseRedisTarget, redisTargetLabel } from './redis-target.ts';

describe('parseRedisTarget', () => {
  it('keeps one URL as one server, as written', () => {
    expect(parseRedisTarget('rediss://:secret@redis.example.org:6380/2')).toEqual({
      kind: 'single',
      url: 'rediss://:secret@redis.example.org:6380/2',
    });
  });

  it('reads several nodes as a cluster, scheme and credentials written once', () => {
    expect(
      parseRedisTarget(
        'redis://app:p%40ss@a.example.org:7001, b.example.org:7002,redis://c.example.org',
      ),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a.example.org', port: 7001 },
        { host: 'b.example.org', port: 7002 },
        { host: 'c.example.org', port: 6379 },
      ],
      username: 'app',
      password: 'p@ss',
      isTls: false,
    });
  });

  it('reads one node as a cluster when told, and IPv6 nodes without brackets', () => {
    expect(parseRedisTarget('rediss://[fd00::1]:7001', true)).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'fd00::1', port: 7001 }],
      username: undefined,
      password: undefined,
      isTls: true,
    });
  });

  it.each([
    ['', /expected a redis:\/\/ or rediss:\/\/ URL/],
    ['http://a.example.org', /expected a redis:\/\/ or rediss:\/\/ URL/],
    ['a.example.org:7001,b.example.org:7002', /expected a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://a:7001/3,b:7002', /names database '3', but a Redis Cluster has database 0 only/],
    ['redis://a:7001?family=6,b:7002', /\?options/],
    ['redis://a:7001,rediss://b:7002', /mixes redis:\/\/ and rediss:\/\//],
    ['redis://a:7001,redis://u:pw@b:7002', /node 'b:7002' with its own credentials/],
    ['redis://a:7001,b:port', /node \(number 2\) that is not host:port/],
  ])('refuses %j, saying why', (value, message) => {
    expect(() => parseRedisTarget(value)).toThrow(message);
  });

  it('never quotes a password in its message', () => {
    expect(() => parseRedisTarget('redis://u:hunter2@a:7001,b:hunter2@:x')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('redisTargetLabel', () => {
  it('names the server or every node, without credentials', () => {
    expect(redisTargetLabel('redis://u:secret@redis.example.org')).toBe('redis.example.org:6379');
    expect(redisTargetLabel('redis://u:secret@a:7001,[::1]:7002')).toBe(
      'the Redis Cluster a:7001, [::1]:7002',
    );
    expect(redisTargetLabel('not a url')).toBe('REDIS_URL');
  });
});

describe('hashTagOf', () => {
  it.each([
    ['{depeche}', 'depeche'],
    ['app:{depeche}:q', 'depeche'],
    ['}{a}{b}', 'a'],
    ['depeche', undefined],
    ['{}depeche', undefined],
    ['{depeche', undefined],
  ])('reads %j as %j, as Redis Cluster does', (prefix, tag) => {
    expect(hashTagOf(prefix)).toBe(tag);
  });
});
