import { generateKeyPairSync } from 'node:crypto';

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

describe('production', () => {
  const secret = 'k'.repeat(40);

  it('refuses a PUBLIC_URL that is not https, naming it', () => {
    expect(() =>
      loadConfig({
        DEPECHE_ENV: 'production',
        SECRET_KEY: secret,
        PUBLIC_URL: 'http://news.example.org',
      }),
    ).toThrow(/^Configuration: PUBLIC_URL must start with https:\/\//);
    // The default (http://localhost:3000) is for development only.
    expect(() => loadConfig({ DEPECHE_ENV: 'production', SECRET_KEY: secret })).toThrow(
      /PUBLIC_URL/,
    );
  });

  it('accepts an https PUBLIC_URL, and http outside production', () => {
    const env = { SECRET_KEY: secret, PUBLIC_URL: 'https://news.example.org' };
    expect(loadConfig({ ...env, DEPECHE_ENV: 'production' }).PUBLIC_URL).toBe(
      'https://news.example.org',
    );
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).PUBLIC_URL).toBe(
      'http://localhost:3000',
    );
  });
});

describe('METRICS_TOKEN and METRICS_PORT', () => {
  it('are off by default, the metrics host loopback', () => {
    const config = loadConfig({});
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.METRICS_HOST).toBe('127.0.0.1');
  });

  it('reads a port and refuses a bad one or a short token, naming the variable', () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/^Configuration: METRICS_PORT /);
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(/^Configuration: METRICS_PORT /);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(
      /^Configuration: METRICS_TOKEN expected at least 16 characters$/,
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

describe('provider webhook keys', () => {
  it('reads good keys, comma-separated ARNs and the signature age', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const sendgrid = ec.export({ format: 'der', type: 'spki' }).toString('base64');
    const config = loadConfig({
      MAILGUN_WEBHOOK_SIGNING_KEY: 'key-0123456789abcdef',
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid,
      POSTMARK_WEBHOOK_PASSWORD: 'postmark-password-0123',
      SES_SNS_TOPIC_ARNS:
        'arn:aws:sns:eu-west-1:123456789012:depeche-ses, arn:aws-cn:sns:cn-north-1:123456789012:b',
    });
    expect(config.SENDGRID_WEBHOOK_PUBLIC_KEY).toBe(sendgrid);
    expect(config.SES_SNS_TOPIC_ARNS).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:depeche-ses',
      'arn:aws-cn:sns:cn-north-1:123456789012:b',
    ]);
    expect(config.WEBHOOK_MAX_AGE_SEC).toBe(3600);
    expect(loadConfig({ WEBHOOK_MAX_AGE_SEC: '600' }).WEBHOOK_MAX_AGE_SEC).toBe(600);
  });

  it('refuses bad values with one line naming the variable', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const cases: Array<[string, string, string]> = [
      [
        'SENDGRID_WEBHOOK_PUBLIC_KEY',
        'not-a-key',
        'Configuration: SENDGRID_WEBHOOK_PUBLIC_KEY expected the verification key SendGrid shows',
      ],
      [
        'SENDGRID_WEBHOOK_PUBLIC_KEY',
        rsa.export({ format: 'der', type: 'spki' }).toString('base64'),
        'Configuration: SENDGRID_WEBHOOK_PUBLIC_KEY expected the verification key SendGrid shows',
      ],
      [
        'MAILGUN_WEBHOOK_SIGNING_KEY',
        'short',
        'Configuration: MAILGUN_WEBHOOK_SIGNING_KEY expected at least 16 characters',
      ],
      [
        'POSTMARK_WEBHOOK_PASSWORD',
        'x'.repeat(201),
        'Configuration: POSTMARK_WEBHOOK_PASSWORD expected at most 200 characters',
      ],
      [
        'SES_SNS_TOPIC_ARNS',
        'arn:aws:sns:eu-west-1:123456789012:ok,arn:aws:sqs:eu-west-1:123456789012:queue',
        "Configuration: SES_SNS_TOPIC_ARNS expected SNS topic ARNs like arn:aws:sns:eu-west-1:123456789012:depeche-ses, comma-separated: 'arn:aws:sqs:eu-west-1:123456789012:queue' is not one",
      ],
      ['SES_SNS_TOPIC_ARNS', 'depeche-ses', "'depeche-ses' is not one"],
      ['WEBHOOK_MAX_AGE_SEC', '0', 'Configuration: WEBHOOK_MAX_AGE_SEC'],
    ];
    for (const [name, value, message] of cases) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (caught) {
        error = caught;
      }
      expect(error, name).toBeInstanceOf(Error);
      const lines = (error as Error).message.split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0]).toContain(message);
      if (name !== 'SES_SNS_TOPIC_ARNS' && name !== 'WEBHOOK_MAX_AGE_SEC') {
        expect(lines[0], 'secrets are not echoed').not.toContain(value);
      }
    }
  });
});

describe('REDIS_URL and REDIS_CLUSTER', () => {
  it('reads one URL as one server, and several nodes or REDIS_CLUSTER=true as a cluster', () => {
    expect(loadConfig({}).redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ REDIS_URL: 'redis://a:7001,b:7002' }).redis).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7001 },
        { host: 'b', port: 7002 },
      ],
    });
    expect(loadConfig({ REDIS_URL: 'redis://a:7001', REDIS_CLUSTER: 'true' }).redis).toMatchObject({
      kind: 'cluster',
      nodes: [{ host: 'a', port: 7001 }],
    });
    expect(loadConfig({ REDIS_URL: 'redis://a:7001', REDIS_CLUSTER: 'false' }).redis.kind).toBe(
      'single',
    );
  });

  it.each([
    [{ REDIS_URL: 'http://a:7001' }, /^Configuration: REDIS_URL expected a redis:\/\//],
    [{ REDIS_URL: 'redis://a:7001,b:x' }, /^Configuration: REDIS_URL has a node \(number 2\)/],
    [
      { REDIS_URL: 'redis://a:7001/1', REDIS_CLUSTER: 'true' },
      /^Configuration: REDIS_URL names database '1', but a Redis Cluster has database 0 only$/,
    ],
    [
      { REDIS_URL: 'redis://a:7001,b:7002', REDIS_CLUSTER: 'false' },
      /^Configuration: REDIS_CLUSTER is false, but REDIS_URL names several nodes/,
    ],
    [{ REDIS_CLUSTER: 'maybe' }, /^Configuration: REDIS_CLUSTER expected true or false/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses a QUEUE_PREFIX without a hash tag on a cluster only', () => {
    expect(() =>
      loadConfig({ REDIS_URL: 'redis://a:7001,b:7002', QUEUE_PREFIX: 'depeche' }),
    ).toThrow(
      "Configuration: QUEUE_PREFIX needs a hash tag on a Redis Cluster, a name in braces such as '{depeche}'",
    );
    expect(loadConfig({ QUEUE_PREFIX: 'depeche' }).QUEUE_PREFIX).toBe('depeche');
    expect(
      loadConfig({ REDIS_URL: 'redis://a:7001,b:7002', QUEUE_PREFIX: 'app:{dep}' }).QUEUE_PREFIX,
    ).toBe('app:{dep}');
  });
});
